// What an operator sees when the gateway starts: what loaded, what failed and why.
import type { Config } from './config-schema.js';
import type { McpServerStatus } from '../mcp/manager.js';

export interface SummaryInput {
  config: Config;
  providersMissingKeys: Record<string, string[]>;
  mcp: McpServerStatus[];
  keys: number;
  url: string;
  dbPath: string;
  adminToken: boolean;
}

export function startupSummary(s: SummaryInput): string {
  const lines = [`tollgate listening on ${s.url}`, `  database: ${s.dbPath}`];
  const providers = Object.entries(s.config.providers);
  lines.push(`  providers (${providers.length}):`);
  for (const [name, p] of providers) {
    const missing = s.providersMissingKeys[name];
    const keys = missing ? `no key: set ${missing.join(', ')}` : `${p.keys.length} key(s)`;
    lines.push(`    ${name}  ${p.type}  ${p.baseUrl}  ${keys}`);
  }
  lines.push(`  virtual keys: ${s.keys}${s.config.requireVirtualKey ? '' : ' (requireVirtualKey: false — requests without a key are allowed)'}`);
  lines.push(`  mcp servers (${s.mcp.length}):`);
  for (const m of s.mcp) {
    const state = m.state === 'connected' ? `connected, ${m.tools} tool(s)` : `${m.state}${m.error ? `: ${m.error}` : ''}`;
    lines.push(`    ${m.name}  ${m.transport}  ${state}`);
  }
  if (!s.adminToken) lines.push('  admin API and /logs disabled: TOLLGATE_ADMIN_TOKEN is not set');
  return `${lines.join('\n')}\n`;
}

// What an operator sees when the gateway starts: what loaded, what failed and why.
import type { Config } from './config-schema.js';
import type { McpServerStatus } from '../mcp/manager.js';
import { redactUrl } from './secrets/redact.js';

export interface SummaryInput {
  config: Config;
  providersMissingKeys: Record<string, string[]>;
  mcp: McpServerStatus[];
  keys: number;
  url: string;
  dbPath: string;
  adminToken: boolean;
  /** Configured providers that are the built-in demo (providers/demo). */
  demo?: readonly string[];
  /** Tool pinning: tools withheld (quarantined) and offered-but-flagged (pin: warn), per server. */
  pins?: { quarantined: number; flagged: number; byServer: readonly { server: string; quarantined: number; flagged: number }[] };
  /** What governance loaded with a warning (GovernanceRegistry.warnings): skipped entries, stored rules that match no tool. */
  warnings?: readonly string[];
}

export function startupSummary(s: SummaryInput): string {
  const lines = [`tollgate listening on ${s.url}`, `  database: ${s.dbPath}`];
  const providers = Object.entries(s.config.providers);
  lines.push(`  providers (${providers.length}):`);
  for (const [name, p] of providers) {
    const missing = s.providersMissingKeys[name];
    const keys = missing ? `no key: set ${missing.join(', ')}` : `${p.keys.length} key(s)`;
    lines.push(`    ${name}  ${p.type}  ${redactUrl(p.baseUrl)}  ${keys}`);
  }
  if (s.demo?.length) {
    lines.push(
      `  DEMO provider on (${s.demo.join(', ')}): an in-process echo model, not a real LLM — for trying Tollgate; remove it before production`,
    );
  }
  lines.push(
    `  virtual keys: ${s.keys}${s.config.requireVirtualKey ? '' : ' (requireVirtualKey: false — requests without a key are allowed)'}`,
  );
  if (s.warnings?.length) {
    lines.push(`  warnings (${s.warnings.length}):`);
    for (const w of s.warnings) lines.push(`    ${w}`);
  }
  lines.push(`  mcp servers (${s.mcp.length}):`);
  for (const m of s.mcp) {
    const state = m.state === 'connected' ? `connected, ${m.tools} tool(s)` : `${m.state}${m.error ? `: ${m.error}` : ''}`;
    const pins = s.pins?.byServer.find((p) => p.server === m.name);
    const held = pins?.quarantined ? `, ${pins.quarantined} quarantined` : '';
    const flagged = pins?.flagged ? `, ${pins.flagged} flagged` : '';
    lines.push(`    ${m.name}  ${m.transport}  ${state}${held}${flagged}`);
  }
  if (s.pins && s.pins.quarantined + s.pins.flagged > 0) {
    lines.push(
      `  tool pins: ${s.pins.quarantined} quarantined, ${s.pins.flagged} flagged (pin: warn): review at /logs/tools or GET /api/tool-pins?status=pending`,
    );
  } else if (s.pins) {
    lines.push('  tool pins: 0 quarantined');
  }
  if (!s.adminToken) lines.push('  admin API and /logs disabled: TOLLGATE_ADMIN_TOKEN is not set');
  return `${lines.join('\n')}\n`;
}

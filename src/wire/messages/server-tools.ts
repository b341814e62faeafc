// Anthropic's server tools — run by the API itself, billed per use beyond tokens — in a Messages
// request and its usage. Spec: https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
// (`max_uses`, `usage.server_tool_use.web_search_requests`), .../web-fetch-tool (`max_uses`,
// `web_fetch_requests`) and .../code-execution-tool (no per-request bound, billed by container
// time). Pure; governance/hosted-tools.ts prices them.
import type { Tool } from './types.js';

/** Server tool families, by `type` without its date, and whether the request can bound their uses (`max_uses`). */
const FAMILIES: Readonly<Record<string, { maxUses: boolean; reported?: string; contentCap?: string }>> = {
  web_search: { maxUses: true, reported: 'web_search_requests' },
  // A fetched page (or PDF) is as long as whoever serves it likes: `max_content_tokens` truncates it.
  web_fetch: { maxUses: true, reported: 'web_fetch_requests', contentCap: 'max_content_tokens' },
  // No max_uses and no count in usage: one container per round, charged as one use (prices.ts).
  code_execution: { maxUses: false },
};

/** Whether a tool `type` is a server tool the gateway knows (priced or not). */
export function isServerToolType(type: string): boolean {
  return Object.hasOwn(FAMILIES, type.replace(/_\d{8}$/, ''));
}

export interface ServerTool {
  /** `messages/<family>`, the fee key. */
  key: string;
  type: string;
  family: string;
  /** The client's `max_uses`; undefined when it sent none (or the tool has no such bound). */
  maxUses: number | undefined;
  /** Whether the tool takes `max_uses`. */
  bounded: boolean;
}

/** The request's server tools, or undefined (no allocation) when it has none: the common case costs one loop over `tools`. */
export function serverToolsOf(tools: readonly Tool[] | undefined): ServerTool[] | undefined {
  let out: ServerTool[] | undefined;
  if (!tools) return undefined;
  for (const tool of tools) {
    const type = tool.type;
    if (typeof type !== 'string' || type === 'custom') continue;
    const family = type.replace(/_\d{8}$/, '');
    const spec = FAMILIES[family];
    if (!spec) continue;
    const maxUses = typeof tool.max_uses === 'number' && tool.max_uses >= 0 ? tool.max_uses : undefined;
    (out ??= []).push({ key: `messages/${family}`, type, family, maxUses: spec.maxUses ? maxUses : undefined, bounded: spec.maxUses });
  }
  return out;
}

/** The most uses each tool may make: its max_uses, else `defaultMaxUses` (sent by withMaxUses), or one for unbounded tools. */
export function usesBound(tool: ServerTool, defaultMaxUses: number): number {
  if (!tool.bounded) return 1;
  return tool.maxUses ?? defaultMaxUses;
}

/**
 * `tools` with `max_uses` added to each bounded server tool that has none, and a tool whose content
 * can be capped (web_fetch's `max_content_tokens`) capped at `contentTokensPerUse`, the allowance a
 * use reserves, when it has no cap or a larger one; the same array when nothing changes.
 */
export function withMaxUses(tools: readonly Tool[], defaultMaxUses: number, contentTokensPerUse?: number): Tool[] {
  let changed = false;
  const out = tools.map((tool) => {
    const server = serverToolsOf([tool])?.[0];
    if (!server?.bounded) return tool;
    const field = FAMILIES[server.family]!.contentCap;
    const cap = field ? tool[field] : undefined;
    const capContent = field !== undefined && contentTokensPerUse !== undefined && !(typeof cap === 'number' && cap <= contentTokensPerUse);
    if (server.maxUses !== undefined && !capContent) return tool;
    changed = true;
    return Object.assign(
      {},
      tool,
      server.maxUses === undefined ? { max_uses: defaultMaxUses } : undefined,
      capContent ? { [field!]: contentTokensPerUse } : undefined,
    );
  });
  return changed ? out : (tools as Tool[]);
}

/**
 * Uses of a round, by fee key: those reported in its usage (`usage.server_tool_use`, whatever was
 * offered), and one for each unbounded tool offered (its container, which usage does not report).
 */
export function serverToolUses(offered: readonly ServerTool[] | undefined, usage: unknown): [string, number][] {
  const reported = (usage as { server_tool_use?: Record<string, unknown> | null } | undefined)?.server_tool_use;
  const out: [string, number][] = [];
  if (reported && typeof reported === 'object')
    for (const family in FAMILIES) {
      const field = FAMILIES[family]!.reported;
      const n = field ? reported[field] : undefined;
      if (typeof n === 'number' && n > 0) out.push([`messages/${family}`, n]);
    }
  for (const tool of offered ?? []) if (!tool.bounded && !out.some(([key]) => key === tool.key)) out.push([tool.key, 1]);
  return out;
}

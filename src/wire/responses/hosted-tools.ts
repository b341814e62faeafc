// The Responses API's built-in tools — run by the upstream, billed per call beyond tokens — in a
// request and in a response's output items. Spec: openai-node src/resources/responses/responses.ts
// (`max_tool_calls`: "the maximum number of total calls to built-in tools … across all built-in tool
// calls"; WebSearchTool, FileSearchTool, Tool.CodeInterpreter, Tool.ImageGeneration; output items
// web_search_call, file_search_call, code_interpreter_call, image_generation_call) and
// https://openai.com/api/pricing. Pure; governance/hosted-tools.ts prices them.
import type { OtherItem, ToolDef } from './types.js';

/** Built-in tool families (the `type` without its date) billed per call. */
const FAMILIES = new Set(['web_search', 'web_search_preview', 'file_search', 'code_interpreter', 'image_generation']);

/** The output item each family's calls leave. */
const ITEM_FAMILY: Readonly<Record<string, string>> = {
  web_search_call: 'web_search',
  file_search_call: 'file_search',
  code_interpreter_call: 'code_interpreter',
  image_generation_call: 'image_generation',
};

/**
 * The other tool types a native Responses request may send under a budget: function and custom
 * tools and Codex's namespace (their definitions are the body's bytes), `mcp` (the gateway's own;
 * one with a server_url or connector_id is refused on its own: responses/stored-input.ts),
 * tool_search (over the deferred tools the body holds) and the tools the client runs (local_shell,
 * shell, apply_patch, computer use). OpenAI documents no prompt of their own: counted at their bytes.
 * Any other type is one the gateway cannot bound (unknownToolTypeAt).
 */
const OTHER_KNOWN = new Set([
  'function',
  'custom',
  'namespace',
  'mcp',
  'tool_search',
  'local_shell',
  'shell',
  'apply_patch',
  'computer_use_preview',
  'computer',
]);

/** The index of the first tool whose type is neither billed built-in nor one of OTHER_KNOWN, or -1. */
/**
 * An `mcp` tool the upstream connects to itself (a `server_url` or `connector_id`), not one of the
 * gateway's own MCP servers (an `mcp` tool with only a server_label).
 */
export function isUpstreamMcp(tool: { type?: unknown; server_url?: unknown; connector_id?: unknown }): boolean {
  return tool.type === 'mcp' && (tool.server_url !== undefined || tool.connector_id !== undefined);
}

export function unknownToolTypeAt(tools: readonly ToolDef[] | undefined): number {
  if (!tools) return -1;
  for (let i = 0; i < tools.length; i++) {
    const type = (tools[i] as { type?: unknown }).type;
    if (typeof type === 'string' && (OTHER_KNOWN.has(type) || FAMILIES.has(hostedFamily(type)))) continue;
    return i;
  }
  return -1;
}

export interface BuiltInTool {
  /** `responses/<family>`, the fee key. */
  key: string;
  type: string;
}

/** A tool `type`'s date suffix dropped: web_search_20250305 and web_search_preview_2025_03_11 → their family. */
export function hostedFamily(type: string): string {
  return type.replace(/_(\d{8}|\d{4}_\d{2}_\d{2})$/, '');
}

/** The request's billed built-in tools, or undefined (no allocation) when it has none. */
export function builtInToolsOf(tools: readonly ToolDef[] | undefined): BuiltInTool[] | undefined {
  let out: BuiltInTool[] | undefined;
  if (!tools) return undefined;
  for (const tool of tools) {
    const type = (tool as { type?: unknown }).type;
    if (typeof type !== 'string' || type === 'function') continue;
    const family = hostedFamily(type);
    if (FAMILIES.has(family)) (out ??= []).push({ key: `responses/${family}`, type });
  }
  return out;
}

/**
 * Calls of a round, by fee key, from its output items. A web_search_call does not say which web
 * search tool made it: it counts as `web_search_preview` (the dearer) when only that is offered or
 * both are, else as `web_search`.
 */
export function builtInToolUses(offered: readonly BuiltInTool[], output: readonly OtherItem[]): [string, number][] {
  const counts = new Map<string, number>();
  const preview = offered.some((t) => t.key === 'responses/web_search_preview');
  for (const item of output) {
    let family = ITEM_FAMILY[item.type];
    if (!family) continue;
    if (family === 'web_search' && preview) family = 'web_search_preview';
    const key = `responses/${family}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts];
}

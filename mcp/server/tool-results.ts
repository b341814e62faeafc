// Pure mappings for the /mcp server side: gateway tool entries → MCP Tool definitions, and a
// governed call's outcome → MCP CallToolResult.
// https://modelcontextprotocol.io/specification/2026-07-28/server/tools
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type { ToolEntry, ToolOutcome } from '../../src/chat/ports.js';
import { gatewayContent } from '../resource-uris.js';
import type { McpToolEntry } from '../tool-catalog.js';

/**
 * One gateway tool as an MCP Tool: the gateway name (`server__tool`), the same description and
 * inputSchema the chat loop offers to models, plus the upstream's title, outputSchema and
 * annotations when the entry still carries its definition (so clients keep their hints and can
 * validate structured results exactly as they would against the server itself).
 */
export function toMcpTool(entry: ToolEntry | McpToolEntry): Tool {
  const fn = entry.openai.function;
  const definition = 'definition' in entry ? entry.definition : undefined;
  return {
    name: entry.name,
    ...(definition?.title !== undefined ? { title: definition.title } : {}),
    ...(fn.description !== undefined ? { description: fn.description } : {}),
    inputSchema: fn.parameters as Tool['inputSchema'],
    ...(definition?.outputSchema !== undefined ? { outputSchema: definition.outputSchema } : {}),
    ...(definition?.annotations !== undefined ? { annotations: definition.annotations } : {}),
  };
}

// toolsFor returns the same array while the tool set and the key's policy are unchanged, so the
// MCP shapes are built once per list rather than per tools/list request.
const mapped = new WeakMap<readonly ToolEntry[], Tool[]>();

export function toMcpTools(list: readonly ToolEntry[]): Tool[] {
  let tools = mapped.get(list);
  if (!tools) {
    tools = list.map(toMcpTool);
    mapped.set(list, tools);
  }
  return tools;
}

/** Whether two tool lists offer the same definitions (entries are reused while unchanged). */
export function sameTools(a: readonly ToolEntry[], b: readonly ToolEntry[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((entry, i) => entry === b[i]);
}

/**
 * A governed call's outcome as an MCP result. A call that reached the tool returns the server's
 * own result (text, images, structured content, its isError), with the URIs of resources it
 * links or embeds in their gateway form (`server+<uri>`) so the client can read them through
 * /mcp. Anything else — a refusal, bad arguments, a timeout, an unavailable server — is a tool
 * error whose text is the gateway's `{"error":{"reason","message"}}`, never a JSON-RPC error: the
 * spec reserves those for protocol problems, and agents show tool errors to the model, which can
 * then adapt.
 */
export function toCallToolResult(outcome: ToolOutcome, server?: string): CallToolResult {
  if ((outcome.status === 'ok' || outcome.status === 'error') && isCallToolResult(outcome.raw)) {
    const raw = ownResult(outcome.raw);
    if (!server || !raw.content.some((b) => b.type === 'resource' || b.type === 'resource_link')) return raw;
    return Object.assign({}, raw, { content: raw.content.map((b) => gatewayContent(server, b)) });
  }
  return { content: [{ type: 'text', text: outcome.content }], isError: outcome.isError || outcome.status !== 'ok' };
}

const PROTOCOL_META = 'io.modelcontextprotocol/';

/**
 * An upstream result as the gateway's own: the protocol's reserved `_meta` keys (the upstream's
 * serverInfo, subscription ids) describe the upstream hop, not this one, and are dropped; other
 * `_meta` (a server's own annotations) is kept.
 */
export function ownResult<T extends { _meta?: Record<string, unknown> | undefined }>(result: T): T {
  const meta = result._meta;
  if (!meta || !Object.keys(meta).some((k) => k.startsWith(PROTOCOL_META))) return result;
  const kept = Object.fromEntries(Object.entries(meta).filter(([k]) => !k.startsWith(PROTOCOL_META)));
  const { _meta: _dropped, ...rest } = result;
  return (Object.keys(kept).length > 0 ? Object.assign(rest, { _meta: kept }) : rest) as T;
}

function isCallToolResult(raw: unknown): raw is CallToolResult {
  return typeof raw === 'object' && raw !== null && Array.isArray((raw as CallToolResult).content);
}

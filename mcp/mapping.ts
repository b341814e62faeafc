// Pure mappings between MCP tools/results and the OpenAI shapes the gateway speaks.
// MCP tools: https://modelcontextprotocol.io/specification/2025-06-18/server/tools
// OpenAI tool messages carry text only, so non-text MCP content becomes a short placeholder for
// the model while the raw parts are kept for the ledger.
import type { CallToolResult, ContentBlock, Tool } from '@modelcontextprotocol/client';
import type { FunctionTool } from '../src/openai/types.js';

/** Used when an MCP tool declares no inputSchema (the spec requires one; old servers omit it). */
const EMPTY_PARAMETERS: Readonly<Record<string, unknown>> = Object.freeze({ type: 'object', properties: {} });

/**
 * MCP Tool → OpenAI function tool under its gateway name. The inputSchema is passed as-is
 * (both sides speak JSON Schema); the description falls back to the tool's title.
 */
export function toOpenAiTool(gatewayName: string, tool: Tool): FunctionTool {
  const description = tool.description ?? tool.title ?? tool.annotations?.title;
  const schema = tool.inputSchema as Record<string, unknown> | undefined;
  const parameters = schema && typeof schema === 'object' ? schema : { ...EMPTY_PARAMETERS };
  return {
    type: 'function',
    function: { name: gatewayName, ...(description !== undefined ? { description } : {}), parameters },
  };
}

export interface ToolMessageContent {
  /** The tool message content the model sees. */
  content: string;
  isError: boolean;
  /** The raw MCP content parts, for the ledger. */
  parts: ContentBlock[];
  /** Any JSON value since 2026-07-28 (an object before). */
  structuredContent?: unknown;
}

/** Size in bytes of base64 data, without decoding it. */
export function base64Bytes(data: string): number {
  const trimmed = data.replace(/\s/g, '');
  const padding = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((trimmed.length * 3) / 4) - padding);
}

/** One MCP content block as text for the model; null when it has nothing to say. */
function contentBlockText(block: ContentBlock): string | null {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
    case 'audio':
      return `[${block.type} ${block.mimeType}, ${base64Bytes(block.data)} bytes]`;
    case 'resource_link':
      return `[resource ${block.uri}${block.name ? ` (${block.name})` : ''}]`;
    case 'resource': {
      const res = block.resource;
      if ('text' in res && typeof res.text === 'string') return res.text;
      const blob = 'blob' in res && typeof res.blob === 'string' ? res.blob : '';
      return `[resource ${res.uri}${res.mimeType ? ` ${res.mimeType}` : ''}, ${base64Bytes(blob)} bytes]`;
    }
    default:
      return null;
  }
}

/**
 * MCP CallToolResult → tool message content. Text parts are joined with newlines; other parts
 * become placeholders; structuredContent is appended as JSON when there is no text; results
 * from pre-2024-11-05 servers (`toolResult`) become JSON. isError results start with `Error: `.
 */
export function toToolMessage(result: CallToolResult | { toolResult: unknown }): ToolMessageContent {
  const parts = Array.isArray((result as CallToolResult).content) ? (result as CallToolResult).content : [];
  const pieces: string[] = [];
  for (const part of parts) {
    const text = contentBlockText(part);
    if (text !== null) pieces.push(text);
  }
  const structured = (result as CallToolResult).structuredContent;
  const hasText = parts.some((p) => p.type === 'text');
  if (!hasText && structured !== undefined && structured !== null) pieces.push(JSON.stringify(structured));
  if (parts.length === 0 && 'toolResult' in result) pieces.push(JSON.stringify(result.toolResult));

  const isError = (result as CallToolResult).isError === true;
  const body = pieces.join('\n');
  return {
    content: isError ? `Error: ${body}` : body,
    isError,
    parts,
    ...(structured !== undefined && structured !== null ? { structuredContent: structured } : {}),
  };
}

/**
 * Why the gateway did not run a tool, or why running it failed. Returned to the model as the
 * tool's result (README, "Errors": not an HTTP error) and recorded in the ledger.
 */
export type ToolErrorReason =
  | 'tool_timeout'
  | 'tool_cancelled'
  | 'invalid_arguments'
  | 'unknown_tool'
  | 'server_unavailable'
  | 'tool_error'
  | (string & {});

/**
 * The content the model sees when a call is refused or fails, always the JSON text
 * `{"error":{"reason":"<code>","message":"<text>"}}` so models (and people reading logs) can
 * tell a gateway refusal from a tool's own output.
 */
export function toolErrorResult(reason: ToolErrorReason, message: string): string {
  return JSON.stringify({ error: { reason, message } });
}

// What one MCP tool call came to, as the tool loop and the ledger see it.
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError, type CallToolResult } from '@modelcontextprotocol/client';
import { toolErrorResult, type ToolErrorReason } from './mapping.js';
import { redactText } from '../src/secrets/redact.js';

export type ToolCallStatus = 'ok' | 'error' | 'timeout' | 'cancelled' | 'invalid_arguments' | 'unknown_tool' | 'server_unavailable';

export interface ToolCallOutcome {
  status: ToolCallStatus;
  /** The request went to the server (it may have run, even without a result): a paid tool is charged. */
  sent: boolean;
  /** The tool message content for the model. */
  content: string;
  isError: boolean;
  /** The server's result as received (absent when the call never completed). */
  raw?: CallToolResult;
  errorMessage?: string;
  /** Why it failed when the status alone does not say (e.g. elicitation_required). */
  reason?: string;
  latencyMs: number;
}

const REASONS: Record<Exclude<ToolCallStatus, 'ok'>, ToolErrorReason> = {
  error: 'tool_error',
  timeout: 'tool_timeout',
  cancelled: 'tool_cancelled',
  invalid_arguments: 'invalid_arguments',
  unknown_tool: 'unknown_tool',
  server_unavailable: 'server_unavailable',
};

/**
 * What a model or an /mcp client is told when a server is unavailable: no transport details, which
 * may name URLs, hosts or a child's stderr. The details stay in the ledger (tool_calls.error,
 * redacted) and in GET /api/mcp-servers.
 */
export const SERVER_UNAVAILABLE_MESSAGE = 'the MCP server is unavailable; try again later';

/**
 * An outcome for a call that was refused or failed before a result came back; `sent` once it went
 * out. The message kept for the ledger has URLs redacted (callers redact known secrets first).
 */
export function failure(status: Exclude<ToolCallStatus, 'ok'>, errorMessage: string, latencyMs: number, sent = false): ToolCallOutcome {
  const detail = redactText(errorMessage);
  const told = status === 'server_unavailable' ? SERVER_UNAVAILABLE_MESSAGE : detail;
  return { status, sent, content: toolErrorResult(REASONS[status], told), isError: true, errorMessage: detail, latencyMs };
}

/**
 * Classifies an exception from client.callTool. Transport failures (fetch errors, HTTP status
 * errors, a closed connection) mean the server is unavailable; JSON-RPC errors the server sent
 * back mean the call itself failed.
 */
export function classifyCallError(
  err: unknown,
  aborted: boolean,
): { status: Exclude<ToolCallStatus, 'ok'>; message: string; transport: boolean } {
  const message = err instanceof Error ? err.message : String(err);
  if (aborted) return { status: 'cancelled', message: `the call was cancelled: ${message}`, transport: false };
  // Local conditions the SDK raises (timeouts, a closed connection) are SdkErrors; errors the
  // server sent back are ProtocolErrors.
  if (err instanceof SdkHttpError) return { status: 'server_unavailable', message, transport: true };
  if (err instanceof SdkError) {
    if (err.code === SdkErrorCode.RequestTimeout) return { status: 'timeout', message, transport: false };
    if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected || err.code === SdkErrorCode.SendFailed) {
      return { status: 'server_unavailable', message, transport: true };
    }
    return { status: 'error', message, transport: false };
  }
  if (err instanceof ProtocolError) return { status: 'error', message, transport: false };
  return { status: 'server_unavailable', message, transport: true };
}

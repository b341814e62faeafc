// A tools/call at /mcp is a request of its own in the ledger (issue 17): one `requests` row with
// surface and source `mcp`, the key, the MCP session, what the client got, the latency and the
// tool's cost, and the call's `tool_calls` row pointing at it. So spend per key, team, session and
// surface, the views and /logs show /mcp activity like the chat surfaces'; budget restore counts
// the cost once (requests.cost_usd; tool_calls with a request id are not added again). The row is
// queued right after the call's own rows, so both usually share a batch (the ledger's check of an
// unsure COMMIT goes by request ids).
import type { Access, LedgerSink } from '../../src/chat/ports.js';
import type { ToolCallResult } from '../../src/chat/tool-call.js';
import { errorKind, toGatewayError } from '../../src/errors.js';

export interface McpToolRequest {
  id: string;
  /** Epoch ms when the call arrived. */
  ts: number;
  access: Access;
  /** The MCP session (NULL for 2026-07-28 clients, which have none). */
  sessionId: string | null;
  /** The client cancelled the call (notifications/cancelled or a closed stream). */
  cancelled: boolean;
  /** The call's answer never reached the client (its stream let go, its client gone: deliveries.ts). */
  undelivered?: boolean;
  /** From arrival to the result, input_required rounds included. */
  latencyMs: number;
  /**
   * Why the client got an error instead of a result: the call threw inside the gateway, or its
   * request was refused before it could run (the SDK's check of its params). Its status is then
   * the error's (a GatewayError's, else 500).
   */
  failure?: unknown;
}

/**
 * The status the client saw: a tool call always answers with a result (a refusal or a tool error
 * is an `isError` result, not an error response), so 200; 499 when the client went away first,
 * or never got the answer.
 */
function statusOf(req: McpToolRequest, result: ToolCallResult | undefined): number {
  if (req.undelivered) return 499;
  return req.cancelled && result?.status === 'cancelled' ? 499 : 200;
}

/** Queues the request row of one /mcp tool call; `result` undefined = the call failed inside the gateway. */
export function recordMcpToolRequest(ledger: LedgerSink, req: McpToolRequest, result: ToolCallResult | undefined): void {
  // A call that failed: the error's status and words; else what became of its result.
  const failed = req.failure !== undefined || !result ? toGatewayError(req.failure) : undefined;
  const status = failed ? failed.status : statusOf(req, result);
  const problem = failed
    ? failed.message.slice(0, 1000)
    : result && result.status !== 'ok'
      ? [result.status, result.reason].filter(Boolean).join(': ')
      : null;
  void ledger.request({
    id: req.id,
    ts: req.ts,
    keyId: req.access.keyId,
    teamId: req.access.teamId,
    customerId: req.access.customerId,
    status,
    errorType: failed ? errorKind(failed) : status === 499 ? 'client_closed' : null,
    errorMessage: problem,
    rounds: 0,
    toolCalls: 1,
    costUsd: result?.chargedUsd ?? 0,
    latencyMs: Math.max(0, Math.round(req.latencyMs)),
    source: 'mcp',
    surface: 'mcp',
    sessionId: req.sessionId,
  });
}

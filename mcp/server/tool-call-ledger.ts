// A tools/call at /mcp is a request of its own in the ledger (issue 17): one `requests` row with
// surface and source `mcp`, the key, the MCP session, what the client got, the latency and the
// tool's cost, and the call's `tool_calls` row pointing at it. So spend per key, team, session and
// surface, the views and /logs show /mcp activity like the chat surfaces'; budget restore counts
// the cost once (requests.cost_usd; tool_calls with a request id are not added again). The row is
// queued right after the call's own rows, so both usually share a batch (the ledger's check of an
// unsure COMMIT goes by request ids).
import type { Access, LedgerSink } from '../../src/chat/ports.js';
import { randomUUID } from 'node:crypto';
import { recordRefusedCall, type Refusal, type ToolCallDeps, type ToolCallResult } from '../../src/chat/tool-call.js';
import { errorKind, GatewayError, type Requester, toGatewayError } from '../../src/errors.js';
import { isPlainObject } from '../plain-object.js';
import { tooLongBatch } from './rpc-errors.js';

export interface McpToolRequest {
  id: string;
  /** Epoch ms when the call arrived. */
  ts: number;
  /** Who made the call (an Access, or a refusal's requester). */
  access: Pick<Access, 'keyId' | 'teamId' | 'customerId'>;
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

/**
 * A tools/call refused before the governed call could decide it (the protocol refused its params,
 * or its key was refused at the door): its tool_calls row, a refusal (recordRefusedCall), and its
 * request row, with `failure`'s status and words. `params` as the client sent them.
 */
export function recordRefusedMcpCall(
  deps: { toolCalls: ToolCallDeps; ledger: LedgerSink },
  call: { access: McpToolRequest['access']; sessionId: string | null; rpcId: unknown; params: unknown },
  refusal: Refusal,
  failure: GatewayError,
): void {
  const params = isPlainObject(call.params) ? call.params : {};
  const row = { id: randomUUID(), ts: Date.now(), access: call.access, sessionId: call.sessionId, cancelled: false, latencyMs: 0, failure };
  const result = recordRefusedCall(deps.toolCalls, {
    access: call.access,
    name: typeof params.name === 'string' ? params.name : '',
    arguments: JSON.stringify(params.arguments ?? {}),
    callId: `mcp:${String(call.rpcId)}`,
    requestId: row.id,
    sessionId: call.sessionId,
    round: null,
    refusal,
  });
  recordMcpToolRequest(deps.ledger, row, result);
}

/**
 * A POST whose key was refused at the door (a rate limit, a blocked key: `error` names whom): each
 * tools/call its body (parsed) carried is a call of that key all the same, recorded refused with the error's
 * code as the reason, as /v1 records its refusals under their key. No session (none was reached).
 */
export function recordRefusedPost(
  deps: { toolCalls: ToolCallDeps; ledger: LedgerSink },
  who: Requester,
  error: GatewayError,
  body: unknown,
): void {
  if (tooLongBatch(body)) return;
  const refusal = { status: 'denied' as const, reason: errorKind(error), message: error.message };
  for (const message of Array.isArray(body) ? body : [body]) {
    if (isToolCall(message))
      recordRefusedMcpCall(deps, { access: who, sessionId: null, rpcId: message.id, params: message.params }, refusal, error);
  }
}

/** Whether a POST's body (one message or a batch) carries a tools/call. */
export function carriesToolCall(body: unknown): boolean {
  return Array.isArray(body) ? body.some(isToolCall) : isToolCall(body);
}

const isToolCall = (message: unknown): message is Record<string, unknown> => isPlainObject(message) && message.method === 'tools/call';

/**
 * The SDK's refusal of a 2026-07-28 POST at its envelope (modern.ts), as the error its rows say:
 * headers that disagree with the body (-32020), a version it does not serve (-32022), a media type
 * other than JSON (415), a malformed or missing _meta envelope (-32602, or -32600 for a batch
 * holding one); a 5xx is the SDK's own failure.
 */
function envelopeError(status: number, rpc: { code?: unknown; message?: unknown }): GatewayError {
  const message = typeof rpc.message === 'string' ? rpc.message : `refused by the MCP handler (HTTP ${status})`;
  if (status >= 500) return new GatewayError({ status, type: 'server_error', message });
  const code =
    rpc.code === -32020
      ? 'mcp_header_mismatch'
      : rpc.code === -32022
        ? 'mcp_unsupported_protocol_version'
        : status === 415
          ? 'mcp_unsupported_media_type'
          : 'mcp_invalid_envelope';
  return new GatewayError({ status, type: 'invalid_request_error', code, message });
}

/**
 * Each tools/call of a 2026-07-28 POST the SDK refused before the gateway's handler saw it: a
 * refused call of the key (denied, the refusal's code as the reason), with its request row at the
 * status the client got, as a call refused at the door is (recordRefusedPost).
 */
export function recordEnvelopeRefusal(
  deps: { toolCalls: ToolCallDeps; ledger: LedgerSink },
  access: McpToolRequest['access'],
  body: unknown,
  status: number,
  rpc: { code?: unknown; message?: unknown },
): void {
  recordRefusedPost(deps, access, envelopeError(status, rpc), body);
}

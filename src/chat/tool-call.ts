// One governed MCP tool call, shared by the chat loop and the /mcp endpoint: decide (allow-list,
// offered set, per-tool rate limit, budget), run, charge, record. Never throws for the tool's sake:
// refusals and failures come back as a result with a reason code.
import { hash } from 'node:crypto';
import { errorKind, GatewayError, toGatewayError } from '../errors.js';
import type { Access, LedgerSink, Metrics, Pricing, Reservation, ToolOutcome, ToolRuntime } from './ports.js';
import { ledgerName, type ToolCallStatus } from '../ledger/rows.js';
import { toolErrorResult as toolErrorContent } from '../../mcp/mapping.js';
import type { CallInteractions } from '../../mcp/call-context.js';

export interface ToolCallDeps {
  tools: ToolRuntime | null;
  pricing: Pricing;
  ledger: LedgerSink;
  metrics: Metrics;
  now(): number;
  /** Store tool arguments and results in `payloads`. */
  payloads: boolean;
}

export interface Refusal {
  /** invalid_arguments: an /mcp tools/call whose params the protocol refused before any decision. */
  status: 'denied' | 'unknown_tool' | 'invalid_arguments';
  reason: string;
  message: string;
}

export interface ToolCallRequest {
  access: Access;
  name: string;
  /** JSON text as the model (or MCP client) sent it. */
  arguments: string;
  /** The model's tool_call id (payload reference); null for /mcp. */
  callId: string | null;
  requestId: string | null;
  sessionId: string | null;
  round: number | null;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Whether the tool was offered to this caller (the chat request's injected set, or the key's list at /mcp). */
  offered(name: string): boolean;
  /** Set to answer without running (e.g. beyond a loop cap). */
  refusal?: Refusal | null | undefined;
  /** Progress notes (SSE comments in streamed chat). */
  progress?: ((text: string) => void) | undefined;
  /** What the caller can do while the tool runs (elicitation, sampling, logs, progress: /mcp); none: refused. */
  interactions?: CallInteractions | undefined;
  /** A person approved exactly this call (hosted MCP on /v1/responses): the key's `approval` rule is met. */
  approved?: boolean | undefined;
  /** The reason to record when the call runs and succeeds (e.g. `approved`: a hosted-MCP call the client approved). */
  okReason?: string | undefined;
}

export interface ToolCallResult {
  outcome: ToolOutcome;
  status: ToolCallStatus;
  reason: string | null;
  chargedUsd: number;
  latencyMs: number;
}

export async function executeToolCall(deps: ToolCallDeps, req: ToolCallRequest): Promise<ToolCallResult> {
  const started = deps.now();
  let refusal: Refusal | null;
  let outcome: ToolOutcome;
  let chargedUsd = 0;
  let reason: string | null = null;
  // How far a call that throws got: sent to its server (then charged its price) or not.
  let sent = false;
  let price = 0;
  try {
    refusal = req.refusal ?? (await decide(deps, req));
    if (refusal) {
      reason = refusal.reason;
      outcome = refused(refusal.reason, refusal.message);
    } else {
      // decide() took a slot of the key's tool calls in flight: given back however the call ends.
      try {
        price = deps.pricing.toolCost(req.name);
        let reservation: Reservation | undefined;
        try {
          if (price > 0) reservation = await req.access.reserve(price);
        } catch (err) {
          if (!(err instanceof GatewayError) || err.type !== 'budget_exceeded') throw err;
          reason = 'budget_exceeded';
        }
        if (reason) {
          outcome = refused('budget_exceeded', 'the budget does not allow this paid tool call');
        } else {
          req.progress?.(`tollgate: running ${req.name}`);
          sent = true;
          try {
            outcome = await deps.tools!.callTool(req.name, req.arguments, {
              signal: req.signal,
              timeoutMs: req.timeoutMs,
              interactions: req.interactions,
              caller: req.access.keyId,
              team: req.access.teamId,
            });
          } catch (err) {
            // callTool does not throw; if it ever does, the call may have gone out: charge it.
            if (reservation) req.access.settle(reservation, price);
            throw err;
          }
          // A call that was sent is charged whatever came back (a result, an error, a timeout, a
          // cancel, a connection lost after sending); one that never left is not.
          chargedUsd = wasSent(outcome) ? price : 0;
          if (outcome.status !== 'ok') reason = outcome.reason ?? (outcome.status === 'error' ? 'tool_error' : outcome.status);
          else reason = req.okReason ?? null;
          req.progress?.(`tollgate: ${req.name} ${outcome.status} ${Math.round(outcome.latencyMs)}ms`);
        }
        if (reservation) req.access.settle(reservation, chargedUsd);
      } finally {
        req.access.endToolCall();
      }
    }
  } catch (err) {
    recordThrown(deps, req, err, started, sent, price);
    throw err;
  }
  const status: ToolCallStatus = refusal ? refusal.status : reason === 'budget_exceeded' ? 'denied' : outcome.status;
  const latencyMs = Math.round(deps.now() - started);
  const denied = refusal !== null || reason === 'budget_exceeded';
  deps.metrics.toolCall({ name: req.name, status, decision: denied ? 'denied' : 'allowed' }, latencyMs / 1000);
  if (reason === 'tool_rate_limited' || reason === 'key_tool_calls_in_flight_exhausted') deps.metrics.rejection('tool_rate_limit', 'key');
  if (reason === 'team_tool_calls_in_flight_exhausted') deps.metrics.rejection('tool_rate_limit', 'team');
  if (reason === 'budget_exceeded') deps.metrics.rejection('budget', 'tool');
  record(deps, req, outcome, status, reason, chargedUsd, latencyMs, denied);
  return { outcome, status, reason, chargedUsd, latencyMs };
}

/**
 * The one error path of a call that throws inside the gateway (a governance store failing closed,
 * say Redis away under a tool rate limit or a paid tool's budget; a runtime that throws): the call
 * still gets its tool_calls row before the caller's own error path runs (the chat request fails,
 * an /mcp tools/call is answered with an error; each writes its requests row). Thrown before it
 * was sent, the call did not run: `denied`, with the error's code as the reason; after, it was
 * allowed and charged its price (as the settle above). Unknown errors are recorded as
 * toGatewayError words them (server_error), without their internals.
 */
function recordThrown(deps: ToolCallDeps, req: ToolCallRequest, err: unknown, started: number, sent: boolean, price: number): void {
  const error = toGatewayError(err);
  const status: ToolCallStatus = sent ? 'error' : 'denied';
  const latencyMs = Math.round(deps.now() - started);
  deps.metrics.toolCall({ name: req.name, status, decision: sent ? 'allowed' : 'denied' }, latencyMs / 1000);
  const kind = errorKind(error);
  record(deps, req, refused(kind, error.message), status, kind, sent ? price : 0, latencyMs, !sent);
}

/** Runtimes that do not say whether a call went out: anything past validation and connection may have. */
function wasSent(outcome: ToolOutcome): boolean {
  return outcome.sent ?? ['ok', 'error', 'timeout', 'cancelled'].includes(outcome.status);
}

function refused(reason: string, message: string): ToolOutcome {
  return { status: 'error', content: toolErrorContent(reason, message), isError: true, errorMessage: message, latencyMs: 0 };
}

async function decide(deps: ToolCallDeps, req: ToolCallRequest): Promise<Refusal | null> {
  const policy = req.access.decideTool(req.name);
  if (!policy.allowed) return { status: 'denied', reason: policy.reason, message: policy.message };
  // Never silently: surfaces that cannot ask a person (chat, /v1/messages, /mcp) tell the model why.
  if (!req.approved && req.access.needsApproval(req.name))
    return {
      status: 'denied',
      reason: 'approval_required',
      message: `not run: tool ${req.name} needs a person's approval first; this gateway asks for it only through hosted MCP on /v1/responses (require_approval)`,
    };
  if (!deps.tools) return { status: 'unknown_tool', reason: 'unknown_tool', message: 'no MCP servers are configured' };
  // Before the offered check: a tool offered earlier in this loop may have drifted since.
  const quarantined = deps.tools.quarantineReason?.(req.name);
  if (quarantined) return { status: 'denied', reason: quarantined, message: quarantineMessage(req.name, quarantined) };
  if (!req.offered(req.name)) {
    return deps.tools.getTool(req.name)
      ? { status: 'denied', reason: 'tool_not_offered', message: `tool "${req.name}" was not offered in this request` }
      : { status: 'unknown_tool', reason: 'unknown_tool', message: `no tool named "${req.name}" is available` };
  }
  // An offered tool whose server dropped since is still called: the manager answers server_unavailable.
  // A slot of the key's tool calls in flight first (synchronous, so concurrent calls count each
  // other): a call refused for it uses none of its per-tool window. Held from here on (null returned).
  const slot = req.access.startToolCall();
  if (!slot.allowed) return { status: 'denied', reason: slot.reason, message: slot.message };
  let runs = false;
  try {
    const rate = await req.access.checkToolRate(req.name);
    if (!rate.allowed) return { status: 'denied', reason: rate.reason, message: rate.message };
    runs = true;
    return null;
  } finally {
    // Given back in one place unless the call goes ahead: the per-tool window refused it, or its check threw.
    if (!runs) req.access.endToolCall();
  }
}

function quarantineMessage(name: string, reason: string): string {
  return reason === 'tool_drifted'
    ? `tool "${name}" changed its definition since it was approved and is quarantined until an admin reviews it`
    : `tool "${name}" is held until an admin approves its definition`;
}

/** What a tool_calls row says of the call: who made it (an Access, or a refusal's requester) and what it asked. */
type Recorded = Pick<ToolCallRequest, 'name' | 'arguments' | 'callId' | 'requestId' | 'sessionId' | 'round'> & {
  access: Pick<Access, 'keyId' | 'teamId' | 'customerId'>;
};

/** A call refused before any decision (at /mcp: params the protocol refused, a key refused at the door). */
export type RefusedCall = Recorded & { refusal: Refusal };

/** Records a call refused before any decision, as executeToolCall records a refusal; it ran nothing and cost nothing. */
export function recordRefusedCall(deps: ToolCallDeps, call: RefusedCall): ToolCallResult {
  const { status, reason, message } = call.refusal;
  const outcome = refused(reason, message);
  deps.metrics.toolCall({ name: call.name, status, decision: 'denied' }, 0);
  record(deps, call, outcome, status, reason, 0, 0, true);
  return { outcome, status, reason, chargedUsd: 0, latencyMs: 0 };
}

function record(
  deps: ToolCallDeps,
  req: Recorded,
  outcome: ToolOutcome,
  status: ToolCallStatus,
  reason: string | null,
  costUsd: number,
  latencyMs: number,
  denied: boolean,
): void {
  const entry = deps.tools?.getTool(req.name);
  const ts = Date.now();
  void deps.ledger.toolCall({
    requestId: req.requestId,
    sessionId: req.sessionId,
    ts,
    keyId: req.access.keyId,
    teamId: req.access.teamId,
    customerId: req.access.customerId,
    round: req.round,
    server: entry?.server ?? ledgerName(req.name.split('__', 1)[0] ?? ''),
    tool: entry?.tool ?? ledgerName(req.name),
    name: ledgerName(req.name),
    // One-shot hash: no Hash object per call (createHash + update + digest took twice as long).
    argsHash: hash('sha256', req.arguments, 'hex'),
    status,
    decision: denied ? 'denied' : 'allowed',
    reason,
    latencyMs,
    costUsd,
    error: outcome.isError ? (outcome.errorMessage ?? outcome.content).slice(0, 1000) : null,
  });
  if (deps.payloads) {
    void deps.ledger.payload({ requestId: req.requestId, ts, kind: 'tool_args', ref: req.callId, body: req.arguments });
    void deps.ledger.payload({ requestId: req.requestId, ts, kind: 'tool_result', ref: req.callId, body: outcome.content });
  }
}

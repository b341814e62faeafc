// Runs the MCP tool calls of one round, in parallel. Every call is decided (allow-list, per-tool
// rate limit, budget) before it runs; every refusal or failure goes back to the model as the
// tool's result with a reason code — never as an HTTP error — and every call is recorded.
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { ToolCall, ToolMessage } from '../openai/types.js';
import type { LedgerSink, Pricing, Reservation, ToolOutcome, ToolRuntime } from './ports.js';
import type { RunState } from './run-state.js';
import type { StreamSink } from './round.js';
import { toolErrorContent } from './tool-error.js';

export interface ToolExecDeps {
  tools: ToolRuntime | null;
  pricing: Pricing;
  ledger: LedgerSink;
  now(): number;
  /** Store tool arguments and results in `payloads`. */
  payloads: boolean;
}

interface Refusal {
  status: 'denied' | 'unknown_tool';
  reason: string;
  message: string;
}

/** `skipReason` marks calls beyond a loop cap: answered without running, so the model knows why. */
export async function runToolCalls(
  deps: ToolExecDeps,
  state: RunState,
  calls: readonly ToolCall[],
  round: number,
  sink: StreamSink | null,
  skip: (index: number) => Refusal | null,
): Promise<ToolMessage[]> {
  return Promise.all(calls.map((call, i) => runOne(deps, state, call, round, sink, skip(i))));
}

async function runOne(deps: ToolExecDeps, state: RunState, call: ToolCall, round: number, sink: StreamSink | null, skipped: Refusal | null): Promise<ToolMessage> {
  const name = call.function.name;
  const started = deps.now();
  const refusal = skipped ?? (await decide(deps, state, name));
  let outcome: ToolOutcome;
  let reservation: Reservation | undefined;
  let charged = 0;
  let reason: string | undefined;
  if (refusal) {
    reason = refusal.reason;
    outcome = { status: 'error', content: toolErrorContent(refusal.reason, refusal.message), isError: true, errorMessage: refusal.message, latencyMs: 0 };
  } else {
    const price = deps.pricing.toolCost(name);
    try {
      if (price > 0) reservation = await state.access.reserve(price);
    } catch (err) {
      if (!(err instanceof GatewayError) || err.type !== 'budget_exceeded') throw err;
      reason = 'budget_exceeded';
      outcome = { status: 'error', content: toolErrorContent('budget_exceeded', err.message), isError: true, errorMessage: err.message, latencyMs: 0 };
    }
    if (!reason) {
      sink?.comment(`tollgate: running ${name}`);
      const remaining = Math.max(1, state.deadline - Date.now());
      outcome = await deps.tools!.callTool(name, call.function.arguments, { signal: state.signal, timeoutMs: remaining });
      // A call that ran is charged whatever its result; one that never reached the tool is not.
      charged = outcome!.status === 'ok' || outcome!.status === 'error' ? price : 0;
      if (outcome!.status !== 'ok') reason = outcome!.status;
      sink?.comment(`tollgate: ${name} ${outcome!.status} ${Math.round(outcome!.latencyMs)}ms`);
    }
    if (reservation) state.access.settle(reservation, charged);
    state.costUsd += charged;
  }
  const result = outcome!;
  const status = refusal ? refusal.status : result.status;
  const entry = deps.tools?.getTool(name);
  const latencyMs = Math.round(deps.now() - started);
  state.toolCalls.push({ round, id: call.id, name, status, latencyMs, ...(reason ? { reason } : {}) });
  void deps.ledger.toolCall({
    requestId: state.requestId,
    sessionId: null,
    ts: Date.now(),
    keyId: state.access.keyId,
    teamId: state.access.teamId,
    customerId: state.access.customerId,
    round,
    server: entry?.server ?? name.split('__')[0] ?? '',
    tool: entry?.tool ?? name,
    name,
    argsHash: createHash('sha256').update(call.function.arguments).digest('hex'),
    status,
    decision: refusal ? 'denied' : 'allowed',
    reason: reason ?? null,
    latencyMs,
    costUsd: charged,
    error: result.isError ? (result.errorMessage ?? result.content).slice(0, 1000) : null,
  });
  if (deps.payloads) {
    void deps.ledger.payload({ requestId: state.requestId, ts: Date.now(), kind: 'tool_args', ref: call.id, body: call.function.arguments });
    void deps.ledger.payload({ requestId: state.requestId, ts: Date.now(), kind: 'tool_result', ref: call.id, body: result.content });
  }
  return { role: 'tool', tool_call_id: call.id, content: result.content };
}

async function decide(deps: ToolExecDeps, state: RunState, name: string): Promise<Refusal | null> {
  const policy = state.access.decideTool(name);
  if (!policy.allowed) return { status: 'denied', reason: policy.reason, message: policy.message };
  if (!deps.tools?.getTool(name)) return { status: 'unknown_tool', reason: 'unknown_tool', message: `no tool named "${name}" is available` };
  if (!state.injectedNames.has(name)) return { status: 'denied', reason: 'tool_not_offered', message: `tool "${name}" was not offered in this request` };
  const rate = await state.access.checkToolRate(name);
  if (!rate.allowed) return { status: 'denied', reason: rate.reason, message: rate.message };
  return null;
}

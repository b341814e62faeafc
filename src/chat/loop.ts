// The tool loop: call the model; when it asks for MCP tools, run them and call it again; stop when
// it answers, when it calls the client's own tools, or when a cap is reached.
// Caps (per key, `loop` in config): maxRounds and maxToolCalls end with one last round in which
// the model may not call tools (tool_choice "none"); maxCostUsd, the budget, a rate limit and
// timeoutMs end with the answer so far. Either way the client gets a normal response and `tollgate.stopped` says why.
// The loop knows no wire format: it drives a LoopCodec (codec.ts), which each surface supplies.
import { GatewayError } from '../errors.js';
import type { FinishReason, ToolCall } from '../openai/types.js';
import { ClientAbortedError } from '../upstream/client.js';
import type { LoopCodec, LoopTurn } from './codec.js';
import type { RoundDeps } from './round.js';
import { gatewayToolTest, type LoopState, type StopNote } from './run-state.js';
import type { HiddenCalls } from './stitch.js';
import { runToolCalls, type ToolExecDeps } from './tool-exec.js';

export interface LoopDeps extends RoundDeps, ToolExecDeps {
  hidden: HiddenCalls;
}

export interface LoopResult<T extends LoopTurn = LoopTurn> {
  turn: T;
  /** Calls the client must run (its own tools); empty when the model answered. */
  clientToolCalls: ToolCall[];
  finishReason: FinishReason;
}

export async function runLoop<T extends LoopTurn>(deps: ToolExecDeps, state: LoopState, codec: LoopCodec<T>): Promise<LoopResult<T>> {
  const isGateway = gatewayToolTest(state, deps.tools);
  const limits = state.access.loop;
  let final = false;
  let last: T | undefined;
  for (;;) {
    let turn: T;
    try {
      // A client already gone (or the deadline already passed): no round, not even one counted
      // (attempts.ts would refuse its attempt unsent, at no charge).
      if (state.cancel.aborted) throw new ClientAbortedError('the client left before the next round');
      turn = await codec.round(final);
    } catch (err) {
      const note = last && stopNoteFor(err, state);
      if (!note || !last) throw err;
      return stopped(state, last, note);
    }
    last = turn;
    const gatewayCalls: ToolCall[] = [];
    const clientCalls: ToolCall[] = [];
    for (const call of turn.toolCalls) (isGateway(call.function.name) ? gatewayCalls : clientCalls).push(call);
    if (gatewayCalls.length === 0) {
      return { turn, clientToolCalls: clientCalls, finishReason: clientCalls.length ? 'tool_calls' : (turn.finishReason ?? 'stop') };
    }
    if (final) return stopped(state, turn, state.stopNote ?? 'max_rounds', clientCalls);

    const roundCapped = state.rounds >= limits.maxRounds;
    const room = Math.max(0, limits.maxToolCalls - state.toolCallCount);
    const results = await runToolCalls(deps, state, gatewayCalls, state.rounds, codec.progress, (i) =>
      roundCapped
        ? { status: 'denied', reason: 'loop_limit', message: `not run: this request reached its limit of ${limits.maxRounds} rounds` }
        : i >= room
          ? {
              status: 'denied',
              reason: 'loop_limit',
              message: `not run: this request reached its limit of ${limits.maxToolCalls} tool calls`,
            }
          : null,
    );
    state.toolCallCount += roundCapped ? 0 : Math.min(room, gatewayCalls.length);
    // The client left while they ran: nothing more is sent, nor answered to it (a mixed turn's client
    // calls included); the request ends as one whose client left (499), with what ran.
    if (state.clientSignal.aborted) throw new ClientAbortedError('the client left while the tools ran');

    if (clientCalls.length) {
      codec.hide(clientCalls, gatewayCalls, results);
      return { turn, clientToolCalls: clientCalls, finishReason: 'tool_calls' };
    }
    codec.append(turn, gatewayCalls, results);

    if (limits.maxCostUsd !== undefined && state.costUsd >= limits.maxCostUsd) return stopped(state, turn, 'max_cost');
    if (Date.now() >= state.deadline) return stopped(state, turn, 'loop_timeout');
    if (roundCapped || gatewayCalls.length > room) {
      final = true;
      state.stopNote = roundCapped ? 'max_rounds' : 'max_tool_calls';
    }
  }
}

/** Ends the loop with the answer so far; 'length' tells SDKs the answer was cut short by a limit. */
function stopped<T extends LoopTurn>(state: LoopState, turn: T, note: StopNote, clientCalls: ToolCall[] = []): LoopResult<T> {
  state.stopNote = note;
  return { turn, clientToolCalls: clientCalls, finishReason: clientCalls.length ? 'tool_calls' : 'length' };
}

/** Errors that end a loop that already has an answer, instead of failing the request. */
function stopNoteFor(err: unknown, state: LoopState): StopNote | undefined {
  if (err instanceof GatewayError && err.type === 'budget_exceeded') return 'budget_exceeded';
  // The key's tokens or calls in flight ran out between rounds: as a budget does, it ends the loop.
  if (err instanceof GatewayError && err.type === 'rate_limited') return 'rate_limited';
  if (err instanceof ClientAbortedError && !state.clientSignal.aborted) return 'loop_timeout';
  return undefined;
}

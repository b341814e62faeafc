// The chat surface's loop codec (codec.ts): the conversation is the request's chat messages; a
// round is runRound (round.ts), translated by the provider adapter when the upstream speaks
// another format; mixed turns are remembered by HiddenCalls (stitch.ts).
import type { AssistantTurn } from './accumulate.js';
import type { LoopCodec } from './codec.js';
import type { LoopDeps } from './loop.js';
import { runRound, type StreamSink } from './round.js';
import { gatewayToolTest, type RunState } from './run-state.js';

export function chatCodec(deps: LoopDeps, state: RunState, sink: StreamSink | null): LoopCodec<AssistantTurn> {
  const isGateway = sink?.finishAfterEnd ? gatewayToolTest(state, deps.tools) : undefined;
  return {
    round: (final) => runRound(deps, state, final, sink, isGateway),
    append(turn, gatewayCalls, results) {
      state.messages.push({ role: 'assistant', content: turn.content, tool_calls: [...gatewayCalls] }, ...results);
    },
    hide: (clientCalls, gatewayCalls, results) => deps.hidden.remember(state.access.keyId, clientCalls, gatewayCalls, results),
    progress: sink ? (text) => sink.comment(text) : undefined,
  };
}

// A Messages request to a provider that speaks Messages: passed through (the client's bytes with
// only `model` rewritten when the gateway adds nothing), the gateway's tools added and run by the
// loop when the key has any, the stream relayed as it arrives with the gateway's rounds hidden.
import { HeldEffects } from '../chat/held-effects.js';
import { runLoop, type LoopResult } from '../chat/loop.js';
import { recordRequest } from '../chat/record.js';
import { settleStream } from '../chat/settle-stream.js';
import { tollgateInfo } from '../chat/respond.js';
import { eventFrame } from '../wire/messages/sse.js';
import type { Message, StopReason } from '../wire/messages/types.js';
import type { MessagesTurn } from '../wire/messages/turn.js';
import { hostedSettings } from '../governance/hosted-tools.js';
import { serverToolsOf, withMaxUses } from '../wire/messages/server-tools.js';
import { anthropicTool } from './anthropic-tools.js';
import { forwardedHeaders, type MessagesRun } from './handler.js';
import { nativeCodec, RELAYED, type NativeOutput } from './native-codec.js';
import { MessagesRelay } from './relay.js';
import type { MessagesRunState } from './run-state.js';
import { stitchMessages } from './stitch.js';
import { MessagesChannel } from './stream-channel.js';
import { SSE_HEADERS } from '../openai/sse.js';
import { containerOfMessagesRequest, containersWritten } from '../governance/owned-containers.js';

export const runNative: MessagesRun = async (deps, input, start, onState) => {
  const { injected, access } = start;
  // Server tools under a budget go with a bound on their uses (the client's max_uses, else the
  // config's): the bound reserved is the bound sent (README, "Budgets").
  let body = start.body;
  let serverTools = serverToolsOf(body.tools);
  const hosted = hostedSettings(deps.pricing);
  const capped = serverTools && access.budgeted ? withMaxUses(body.tools!, hosted.defaultMaxUses, hosted.contentTokensPerUse) : body.tools;
  if (capped !== body.tools) {
    body = Object.assign({}, body, { tools: capped });
    serverTools = serverToolsOf(capped);
  }
  const conv = stitchMessages(body.messages, deps.hidden, {
    keyId: access.keyId,
    allowsTool: (name) => access.decideTool(name).allowed,
  });
  const state: MessagesRunState = Object.assign(start.base, {
    body,
    bodyText: input.bodyText,
    path: input.path,
    forwardHeaders: forwardedHeaders(input.headers),
    offeredTools: injected.length ? [...(body.tools ?? []), ...injected.map(anthropicTool)] : undefined,
    conv: conv === body.messages ? [...conv] : conv,
    // Under a budget, a body with server tools goes re-serialized: the max_uses reserved is the one
    // sent, even when the client's bytes name one twice (parsers disagree on which counts). So does
    // one naming a container: the container sent is the one whose owner was checked.
    rebuilt:
      injected.length > 0 ||
      conv !== body.messages ||
      (serverTools !== undefined && access.budgeted) ||
      containerOfMessagesRequest(body.container) !== undefined,
    serverTools,
  });
  onState(state);
  if (!state.stream) {
    const afterEnd = new HeldEffects();
    const output: NativeOutput = { visible: [], turns: [], firstText: undefined, afterEnd };
    let text: string;
    try {
      text = finalText(state, await runLoop(deps, state, nativeCodec(deps, state, null, output)), output);
      // The containers the answer reports are recorded as the key's before it goes out.
      const written = containersWritten(state);
      if (written) await written;
    } catch (err) {
      afterEnd.settle();
      throw err;
    }
    // The last round's effects outside the request and the requests row (which reads the cost and
    // usage, counted at the round's finish already) run once the route has written the answer, as a
    // stream's do after its last byte (issue 20: they sat between the upstream's answer and the client's).
    return {
      kind: 'json',
      text,
      headers: {},
      after() {
        afterEnd.settle();
        recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
      },
    };
  }

  const out = new MessagesChannel(input.sseSink?.(input.requestId, SSE_HEADERS), start.client);
  const relay = new MessagesRelay(out);
  out.keepAlive(deps.pingIntervalMs);
  await settleStream(deps, state, out.channel, runLoop(deps, state, nativeCodec(deps, state, relay, null)), {
    done(result) {
      try {
        // The loop ended on a round whose message_delta was held back (gateway calls in it): close the message.
        if (!relay.closed) {
          out.frame(
            eventFrame({
              type: 'message_delta',
              delta: { stop_reason: stopReason(state, result), stop_sequence: null },
              usage: relay.totals,
            }),
          );
          out.frame(eventFrame({ type: 'message_stop' }));
        }
        out.end();
      } finally {
        // The last round's effects (settlement, metrics, llm_calls row), after the client's last byte.
        relay.afterEnd.settle();
      }
    },
    failed: (error, err) => out.fail(error, state.requestId, (err as { [RELAYED]?: string })[RELAYED]),
    stop: () => {
      out.stop();
      relay.afterEnd.settle();
    },
  });
  return out.body ? { kind: 'stream', body: out.body, headers: {} } : { kind: 'sent' };
};

function stopReason(state: MessagesRunState, result: LoopResult<MessagesTurn>): StopReason {
  if (result.clientToolCalls.length) return 'tool_use';
  if (state.stopNote) return 'max_tokens';
  return result.turn.stopReason ?? 'end_turn';
}

/** The upstream's own bytes when the gateway added nothing; else one message over every round. */
function finalText(state: MessagesRunState, result: LoopResult<MessagesTurn>, output: NativeOutput): string {
  const info = tollgateInfo(state);
  if (
    output.turns.length === 1 &&
    output.firstText !== undefined &&
    !info &&
    result.clientToolCalls.length === result.turn.toolCalls.length
  )
    return output.firstText;
  const totals = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  for (const t of output.turns) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += t.rawUsage[k] ?? 0;
  const first = output.turns[0]!;
  const message: Message = {
    id: first.id,
    type: 'message',
    role: 'assistant',
    model: result.turn.model || first.model,
    content: output.visible,
    stop_reason: stopReason(state, result),
    stop_sequence: null,
    usage: totals,
    // The container the rounds ran code in (the last reported): the client continues in it.
    ...(output.container !== undefined ? { container: output.container } : {}),
    ...(info ? { tollgate: info } : {}),
  };
  return JSON.stringify(message);
}

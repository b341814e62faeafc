// The Messages loop codec for upstreams that speak Messages (codec.ts): the conversation stays in
// Anthropic's blocks, a round is a pass-through call (native-call.ts) with the retry, budget and
// ledger machinery of every round (withAttempts, startAttempt), and a streamed round is relayed
// to the client as it arrives (relay.ts), the gateway's own tool calls left out.
import type { LoopCodec } from '../chat/codec.js';
import type { HeldEffects } from '../chat/held-effects.js';
import type { LoopDeps } from '../chat/loop.js';
import { nativeAttemptHooks } from '../chat/round.js';
import { callsGatewayTool, gatewayToolTest } from '../chat/run-state.js';
import { withAttempts } from '../chat/attempts.js';
import type { Target } from '../chat/targets.js';
import { errorKind, GatewayError } from '../errors.js';
import type { AttemptPlan } from '../governance/attempt-budget.js';
import { ClientAbortedError } from '../upstream/client.js';
import { badStreamEvent, streamEndedEarly, streamError } from '../wire/messages/errors.js';
import { rewriteModel } from '../wire/messages/model-rewrite.js';
import { messagesPromptBound } from '../governance/messages-prompt-bound.js';
import { commentFrame, rawFrame } from '../wire/messages/sse.js';
import { parseMessagesEvent } from '../wire/event-json.js';
import { MessagesTurnBuilder, turnFromMessage, type MessagesTurn } from '../wire/messages/turn.js';
import type { ContentBlock, MessagesRequest } from '../wire/messages/types.js';
import { hostedFees, hostedReserve, hostedSettings } from '../governance/hosted-tools.js';
import { serverToolUses, usesBound, type ServerTool } from '../wire/messages/server-tools.js';
import { nativeOnce } from './native-call.js';
import type { MessagesRelay } from './relay.js';
import type { MessagesRunState } from './run-state.js';
import { containerOfMessage, noteContainer, type ContainerDeps } from '../governance/owned-containers.js';

/** What the client gets at the end of a non-streamed request (streamed ones went through the relay). */
export interface NativeOutput {
  /** Client-visible blocks of every round, in order. */
  visible: ContentBlock[];
  turns: MessagesTurn[];
  /** The first round's upstream JSON text, sent as it came when the gateway added nothing. */
  firstText: string | undefined;
  /** The last container a round reported (its `container`), which the client's one message carries. */
  container?: unknown;
  /**
   * A JSON answer's: the effects outside the request (settlement, rate-limit tokens, metrics,
   * llm_calls row) of the round that ends it, run once the client has the answer (native-run.ts).
   */
  afterEnd?: HeldEffects | undefined;
}

/** Marks an upstream error event already relayed to the client as it came. */
export const RELAYED = Symbol('relayed');

/**
 * `relay`: a streamed request's (its client saw every round through it); `output`: a JSON one's,
 * what finalText answers from (a stream keeps no list of rounds and blocks nobody reads).
 */
export function nativeCodec(
  deps: LoopDeps & { containers: ContainerDeps },
  state: MessagesRunState,
  relay: MessagesRelay | null,
  output: NativeOutput | null,
): LoopCodec<MessagesTurn> {
  const isGateway = gatewayToolTest(state, deps.tools);
  const held = output?.afterEnd;
  const holdJson = held ? (effects: () => void) => held.hold(effects) : undefined;
  return {
    async round(final) {
      const round = ++state.rounds;
      const base: MessagesRequest = state.rebuilt
        ? Object.assign({}, state.body, { messages: state.conv }, state.offeredTools ? { tools: state.offeredTools } : undefined)
        : state.body;
      const request = final && state.offeredTools ? Object.assign({}, base, { tool_choice: { type: 'none' as const } }) : base;
      const promptTokens = messagesPromptBound(request);
      // Server tools (web search…): their fees at the bound sent, refused under a budget when unpriced.
      const hosted = state.serverTools ? serverToolsReserve(deps, state, state.serverTools) : undefined;
      const fees = hosted ? (usage: unknown) => hostedFees(serverToolUses(state.serverTools, usage), hosted.feeOf) : undefined;
      const bodyFor = (target: Target, plan: AttemptPlan): string => {
        if (!state.rebuilt && !final && plan.sendCap === undefined) {
          const rewritten = rewriteModel(state.bodyText, target.model);
          if (rewritten !== undefined) return rewritten;
        }
        const cap = plan.sendCap !== undefined ? { max_tokens: plan.sendCap } : undefined;
        return JSON.stringify(Object.assign({}, request, { model: target.model }, cap));
      };
      const outcome = await withAttempts(
        deps.llm,
        state.targets,
        state.cancel,
        nativeAttemptHooks(deps, state, round, { bounded: true, caps: state.body, promptTokens, hosted: hosted?.reserve }),
        (target, handle) =>
          nativeOnce(
            deps.llm,
            {
              path: state.path,
              headers: state.forwardHeaders,
              stream: state.stream,
              signal: state.cancel,
              body: bodyFor(target, handle.plan),
              later: holdJson,
              fees,
            },
            target,
            handle,
          ),
      );
      state.lastTarget = outcome.target;
      if (outcome.kind === 'json') {
        // A container it reports is the key's from now on (written before the answer goes out: native-run.ts).
        const container = containerOfMessage(outcome.message);
        noteContainer(deps.containers, state, container);
        if (output && container !== undefined) output.container = (outcome.message as { container?: unknown }).container;
        const turn = turnFromMessage(outcome.message);
        // The loop goes on after a round with gateway calls: only the round that ends the answer waits.
        if (held && callsGatewayTool(turn, isGateway)) held.settle();
        if (output) {
          if (round === 1) output.firstText = outcome.text;
          collect(output, turn, isGateway);
        }
        return turn;
      }
      const builder = new MessagesTurnBuilder();
      const roundRelay = relay?.round(isGateway);
      // The round's turn, and whether it ends the client's message (no gateway tool call in it),
      // decided once, at its message_stop. `as`: assigned in the callback, which TS does not follow.
      let turn = undefined as MessagesTurn | undefined;
      let endsMessage = false;
      try {
        // Each item as it arrives, inside the body's data callback: one read's frames leave in one write.
        await outcome.read((type, data, raw) => {
          if (type === undefined) {
            relay?.out.frame(commentFrame(data));
            return;
          }
          let event: Record<string, unknown>;
          try {
            event = parseMessagesEvent(data) as Record<string, unknown>;
          } catch {
            throw badStreamEvent(type);
          }
          if (event === null || typeof event !== 'object') throw badStreamEvent(type);
          builder.add(event);
          // A container reported (message_start's message, message_delta's delta) is the key's from
          // now on: its write starts before the frame naming it goes out (governance/owned-containers.ts).
          if (event.type === 'message_delta') noteContainer(deps.containers, state, containerOfMessage(event.delta));
          else if (event.type === 'message_start') noteContainer(deps.containers, state, containerOfMessage(event.message));
          // The upstream's error event reaches the client as it came (the stream's failure path writes it).
          if (event.type === 'error') {
            throw Object.assign(streamError(event), { [RELAYED]: rawFrame(type, data) });
          }
          roundRelay?.event(type, data, event, raw);
          if (event.type !== 'message_stop' || turn) return;
          if (relay && !builder.toolUse) {
            // No tool_use block, so no gateway call: the round ends the client's message, which ends
            // before the turn is built (its blocks, tool calls and usage: issue 20, work off the path
            // between the upstream's last event and the client's end()). What follows is the case below.
            endsMessage = true;
            relay.addUsage(builder.usage);
            roundRelay!.end(true);
            relay.out.end?.();
            turn = builder.turn();
            return true;
          }
          turn = builder.turn();
          endsMessage = !callsGatewayTool(turn, isGateway);
          if (!endsMessage || !relay) return;
          // The round that ends the client's message: its held message_delta and message_stop go out
          // and the client's stream ends now, not after the upstream's body end and the loop's and
          // settleStream's unwinding; and the round ends here (true: relayStream drains the rest of
          // the body unseen), so what the upstream does after message_stop (a reset, a stall past
          // its timeout) is not recorded as the request's outcome: the client has the whole message.
          relay.addUsage(turn.rawUsage);
          roundRelay!.end(true);
          relay.out.end?.();
          return true;
        }, relay?.out.flow);
        if (!turn) throw streamEndedEarly();
      } catch (err) {
        outcome.handle.finish({
          status: 200,
          errorType:
            err instanceof ClientAbortedError ? 'client_aborted' : err instanceof GatewayError ? errorKind(err) : 'upstream_stream_error',
          partialUsage: builder.partialUsage(),
          mayHaveCost: true,
        });
        throw err;
      }
      // The round that ends the client's message: its effects outside the request (settlement,
      // metrics, llm_calls row) run once the client has its last byte (relay.afterEnd, native-run).
      outcome.handle.finish(
        { status: 200, errorType: null, usage: turn.usage, mayHaveCost: true, hostedFees: fees?.(turn.rawUsage) },
        relay && endsMessage ? (effects) => relay.afterEnd.hold(effects) : undefined,
      );
      // A round with gateway calls keeps its message_delta and message_stop (the loop goes on).
      if (!endsMessage) {
        relay?.addUsage(turn.rawUsage);
        roundRelay?.end(false);
      }
      if (output) collect(output, turn, isGateway);
      return turn;
    },
    append(turn, _gatewayCalls, results) {
      state.conv.push(
        { role: 'assistant', content: turn.content },
        { role: 'user', content: results.map((r) => ({ type: 'tool_result', tool_use_id: r.tool_call_id, content: r.content })) },
      );
      state.rebuilt = true;
    },
    hide: (clientCalls, gatewayCalls, results) => deps.hidden.remember(state.access.keyId, clientCalls, gatewayCalls, results),
    progress: relay ? (text) => relay.out.frame(commentFrame(` ${text}`)) : undefined,
  };
}

function serverToolsReserve(deps: LoopDeps, state: MessagesRunState, tools: readonly ServerTool[]) {
  const settings = hostedSettings(deps.pricing);
  const offers = tools.map((t) => ({ key: t.key, type: t.type, maxUses: usesBound(t, settings.defaultMaxUses) }));
  const reserve = hostedReserve(offers, settings.feeOf, {
    budgeted: state.access.budgeted,
    contentTokensPerUse: settings.contentTokensPerUse,
  });
  return { reserve, feeOf: settings.feeOf };
}

function collect(output: NativeOutput, turn: MessagesTurn, isGateway: (name: string) => boolean): void {
  output.turns.push(turn);
  for (const b of turn.content) if (!(b.type === 'tool_use' && isGateway(String(b.name)))) output.visible.push(b);
}

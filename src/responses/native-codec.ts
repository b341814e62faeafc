// The Responses loop codec for upstreams that speak Responses (src/chat/codec.ts): the conversation
// stays in Responses input items — reasoning items (encrypted or by id), namespace and custom tool
// calls, anything unknown — and a round is the client's body with `model` rewritten, the gateway's
// tools added as function tools and `input` grown by each round's output items and the gateway's
// function_call_output items. Attempts go through withAttempts + startAttempt like every round
// (reserved, charged, ledgered); a streamed round is relayed as it arrives (native-relay.ts).
// Mirrors src/messages/native-codec.ts.
import type { LoopCodec } from '../chat/codec.js';
import type { LoopDeps } from '../chat/loop.js';
import { nativeAttemptHooks } from '../chat/round.js';
import { callsGatewayTool, gatewayToolTest, type LoopState } from '../chat/run-state.js';
import { withAttempts } from '../chat/attempts.js';
import type { Target } from '../chat/targets.js';
import { errorKind, GatewayError } from '../errors.js';
import type { AttemptPlan } from '../governance/attempt-budget.js';
import { MESSAGE_OVERHEAD, REPLY_OVERHEAD } from '../governance/prompt-bound.js';
import { ClientAbortedError } from '../upstream/client.js';
import type { Cancel } from '../upstream/cancel.js';
import { sseComment } from '../openai/sse.js';
import { tollgateInfo } from '../chat/respond.js';
import { rewriteModel } from '../wire/messages/model-rewrite.js';
import { functionOutputInput } from '../wire/responses/native-items.js';
import { imagesInJson, imagesInRequest } from '../wire/responses/images.js';
import { addResponsesUsage, ResponsesTurnBuilder, type ResponsesTurn } from '../wire/responses/native-turn.js';
import type { InputItem, OtherItem, ResponsesRequest, ResponseUsage, ToolDef } from '../wire/responses/types.js';
import type { HostedTool } from './hosted-mcp.js';
import { hostedFees, hostedReserve, hostedSettings, hostedToolUnpriced } from '../governance/hosted-tools.js';
import { builtInToolUses, type BuiltInTool } from '../wire/responses/hosted-tools.js';
import { nativeOnce } from './native-call.js';
import { byIdTokens, noteItems } from './reasoning-size.js';
import type { ResponsesRelay } from './native-relay.js';
import { noteItem, type ContainerDeps } from '../governance/owned-containers.js';

export interface NativeRunState extends LoopState {
  /** `signal` without the AbortSignal, for the upstream calls (upstream/cancel.ts). */
  readonly cancel: Cancel;
  /** The client's request, previous_response_id dropped when the gateway holds that conversation. */
  readonly body: ResponsesRequest;
  /** The client's bytes, sent with only `model` rewritten while nothing else changes. */
  readonly bodyText: string;
  /** Client tools (gateway-hosted MCP entries out) plus the gateway's function tools; undefined: the client's as sent. */
  readonly offeredTools: ToolDef[] | undefined;
  /** Gateway tools → hosted server, for mcp_call items; approval-needing ones end the round. */
  readonly hosted: ReadonlyMap<string, HostedTool>;
  /** The conversation so far: the client's input (with what the gateway holds stitched in), then every gateway round. */
  conv: InputItem[];
  /** The body must be rebuilt from conv and offeredTools. */
  rebuilt: boolean;
  /** Responses usage over every round (the client's response.completed). */
  totals: ResponseUsage | undefined;
  /** The last round's upstream response object. */
  last: ResponsesTurn['response'] | undefined;
  /**
   * Input tokens the upstream adds from the stored response `previous_response_id` continues
   * upstream (0 when the gateway holds the conversation or there is none): the body's bytes do not
   * bound them, so every round reserves them on top.
   */
  readonly carriedTokens: number;
  /** What a follow-up continuing the last round's response upstream carries (stored with it). */
  continuation: number | undefined;
  /** Output items of every round, by id: the input tokens each adds sent back by id (reasoning-size.ts); reasoning in conv by id, summed. */
  itemTokens?: Map<string, number> | undefined;
  heldTokens?: number | undefined;
  /** The client's billed built-in tools (web search…); undefined: none (wire/responses/hosted-tools.ts). */
  readonly builtInTools: BuiltInTool[] | undefined;
  /** Containers its answer reported, and their writes (governance/owned-containers.ts); undefined: none. */
  containerIds?: string[] | undefined;
  containerWrites?: Promise<void>[] | undefined;
}

export function nativeResponsesCodec(
  deps: LoopDeps & { containers: ContainerDeps },
  state: NativeRunState,
  relay: ResponsesRelay,
): LoopCodec<ResponsesTurn> {
  const isGateway = gatewayToolTest(state, deps.tools);
  // What the client must not see as the upstream sent it: the gateway's function calls, and calls
  // of hosted tools that need approval (they become mcp_approval_request items at the end).
  const hidden = (item: OtherItem) =>
    item.type === 'function_call' &&
    item.namespace === undefined &&
    (isGateway(String(item.name)) || state.hosted.get(String(item.name))?.needsApproval === true);
  const stream = relay.out !== null;
  // A JSON round's effects outside the request wait in the relay's afterEnd: the run has them run
  // once the client has the answer (native-run.ts), unless the loop goes on after the round.
  const holdJson = stream ? undefined : (effects: () => void) => relay.afterEnd.hold(effects);
  return {
    async round(final) {
      const round = ++state.rounds;
      const base: ResponsesRequest = state.rebuilt
        ? Object.assign({}, state.body, { input: state.conv }, state.offeredTools ? { tools: state.offeredTools } : undefined)
        : state.body;
      const request = final && state.offeredTools ? Object.assign({}, base, { tool_choice: 'none' as const }) : base;
      // Tokens never outnumber bytes: the body's size bounds its input tokens, but for images, each
      // billed up to the model's image bound whatever its URL's length (added per target: attempt-budget.ts).
      const sent = state.rebuilt ? JSON.stringify(request) : undefined;
      const promptTokens = Buffer.byteLength(sent ?? state.bodyText) + REPLY_OVERHEAD + state.carriedTokens + (state.heldTokens ?? 0);
      const images = sent !== undefined ? imagesInJson(sent) : imagesInRequest(request, state.bodyText);
      const bodyFor = (target: Target, plan: AttemptPlan): string => {
        if (!state.rebuilt && !final && plan.sendCap === undefined) {
          const rewritten = rewriteModel(state.bodyText, target.model);
          if (rewritten !== undefined) return rewritten;
        }
        const cap = plan.sendCap !== undefined ? { max_output_tokens: plan.sendCap } : undefined;
        return JSON.stringify(Object.assign({}, request, { model: target.model }, cap));
      };
      // Built-in tools (web search…): their fees at the bound sent, refused under a budget when unpriced.
      const hosted = state.builtInTools ? builtInReserve(deps, state, state.builtInTools) : undefined;
      const fees = hosted
        ? (output: readonly OtherItem[]) => hostedFees(builtInToolUses(state.builtInTools!, output), hosted.feeOf)
        : undefined;
      // The plan of the attempt that answered (the last one tried).
      let plan: AttemptPlan | undefined;
      const outcome = await withAttempts(
        deps.llm,
        state.targets,
        state.cancel,
        nativeAttemptHooks(deps, state, round, {
          bounded: true,
          caps: { max_completion_tokens: state.body.max_output_tokens ?? undefined },
          promptTokens,
          images,
          hosted: hosted?.reserve,
        }),
        (target, handle) => {
          plan = handle.plan;
          return nativeOnce(
            deps.llm,
            { path: '/v1/responses', stream, signal: state.cancel, body: bodyFor(target, handle.plan), later: holdJson, fees },
            target,
            handle,
          );
        },
      );
      state.lastTarget = outcome.target;
      if (outcome.kind === 'json') {
        // The loop goes on after a round with gateway calls: only the round that ends the answer waits.
        if (callsGatewayTool(outcome.turn, isGateway)) relay.afterEnd.settle();
        if (round === 1) relay.firstText = outcome.text;
        // A container an item reports, an upstream MCP server's approval request, is the key's from
        // now on (written before the answer goes out: native-run.ts).
        for (const item of outcome.turn.output) noteItem(deps.containers, state, item);
        relay.collect(outcome.turn.output, hidden);
        return ended(state, outcome.turn, plan!);
      }
      const builder = new ResponsesTurnBuilder();
      const roundRelay = relay.round(hidden);
      try {
        // Each item as it arrives, inside the body's data callback: one read's frames leave in one write.
        await outcome.read((type, data, span) => {
          if (type === undefined) {
            relay.out?.frame(`:${data}\n\n`);
            return;
          }
          let event: Record<string, unknown>;
          try {
            event = JSON.parse(data) as Record<string, unknown>;
          } catch {
            throw upstreamStreamFailure('upstream_malformed', `upstream sent an unparsable ${type} event`);
          }
          if (event === null || typeof event !== 'object')
            throw upstreamStreamFailure('upstream_malformed', `upstream sent an unparsable ${type} event`);
          builder.add(event);
          // A container an item reports, an upstream MCP server's approval request, is the key's from
          // now on: its write starts before the frame naming it goes out (governance/owned-containers.ts).
          if (event.type === 'response.output_item.added' || event.type === 'response.output_item.done')
            noteItem(deps.containers, state, event.item as OtherItem);
          if (event.type === 'error')
            throw upstreamStreamFailure(
              'upstream_stream_error',
              `upstream stream error (${String(event.code ?? 'error')}): ${String(event.message ?? 'no message')}`,
            );
          roundRelay.event(type, data, event, span);
          // A pure pass-through's terminal event ends the client's stream as it arrives (native-relay.ts
          // endNow), and then the round ends here too (true: relayStream drains the rest of the body
          // unseen): what the upstream does after it (a reset, a stall past its timeout) is not
          // recorded as the request's outcome, the client having the whole response.
          if (relay.held?.event === event) {
            relay.endNow(state.body.store === false && !tollgateInfo(state));
            return relay.ended;
          }
        }, relay.out?.flow);
        if (!builder.ended) throw upstreamStreamFailure('upstream_stream_truncated', 'upstream stream ended early (no response.completed)');
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
      const turn = builder.turn();
      // The round that ends the loop: its effects outside the request (settlement, metrics,
      // llm_calls row) run once the client has its last byte (the relay's afterEnd, as on Messages).
      outcome.handle.finish(
        { status: 200, errorType: null, usage: turn.usage, mayHaveCost: true, hostedFees: fees?.(turn.output) },
        callsGatewayTool(turn, isGateway) ? undefined : (effects) => relay.afterEnd.hold(effects),
      );
      return ended(state, turn, plan!);
    },
    append(turn, gatewayCalls, results) {
      // Reasoning goes back as it came (Codex's store:false + encrypted reasoning); one the upstream
      // cannot resolve (store:false without encrypted_content) is left out, as OpenAI allows.
      for (const item of turn.output)
        if (!(item.type === 'reasoning' && state.body.store === false && !item.encrypted_content)) state.conv.push(item as InputItem);
      if (state.body.store !== false) state.heldTokens = byIdTokens(state.heldTokens, turn.output, state.itemTokens);
      for (const r of results) state.conv.push(functionOutputInput(r.tool_call_id, r.content));
      state.rebuilt = true;
      showHosted(state, relay, gatewayCalls, results);
    },
    hide(clientCalls, gatewayCalls, results) {
      deps.hidden.remember(state.access.keyId, clientCalls, gatewayCalls, results);
      showHosted(state, relay, gatewayCalls, results);
    },
    progress: stream ? (text) => relay.out?.frame(sseComment(text)) : undefined,
  };
}

/**
 * max_tool_calls bounds the calls of every built-in tool together: the worst case is that many
 * calls of the dearest tool offered (each unpriced one refused first, under a budget).
 */
function builtInReserve(deps: LoopDeps, state: NativeRunState, tools: readonly BuiltInTool[]) {
  const settings = hostedSettings(deps.pricing);
  const bound = typeof state.body.max_tool_calls === 'number' ? state.body.max_tool_calls : settings.defaultMaxUses;
  let dearest: { tool: BuiltInTool; fee: number } | undefined;
  for (const tool of tools) {
    const fee = settings.feeOf(tool.key);
    if (fee === undefined) {
      if (state.access.budgeted) throw hostedToolUnpriced({ key: tool.key, type: tool.type, maxUses: bound });
    } else if (!dearest || fee > dearest.fee) dearest = { tool, fee };
  }
  const offers = dearest ? [{ key: dearest.tool.key, type: dearest.tool.type, maxUses: bound }] : [];
  const reserve = hostedReserve(offers, settings.feeOf, {
    budgeted: state.access.budgeted,
    contentTokensPerUse: settings.contentTokensPerUse,
  });
  return { reserve, feeOf: settings.feeOf };
}

function ended(state: NativeRunState, turn: ResponsesTurn, plan: AttemptPlan): ResponsesTurn {
  state.totals = addResponsesUsage(state.totals, turn.rawUsage);
  state.last = turn.response;
  state.continuation = carriedBy(turn, plan);
  state.itemTokens = noteItems(state.itemTokens, turn, plan);
  return turn;
}

/**
 * What continuing this round's response upstream bills as input: its own input (everything it
 * carried) and its output items (reasoning included) as the next call's input, with a message's
 * overhead each; without usage, the most the round was reserved for.
 */
function carriedBy(turn: ResponsesTurn, plan: AttemptPlan): number {
  const u = turn.rawUsage;
  const tokens =
    u && Number.isFinite(u.input_tokens) && Number.isFinite(u.output_tokens)
      ? Math.max(u.input_tokens!, 0) + Math.max(u.output_tokens!, 0)
      : plan.promptTokens + plan.outputTokens;
  return tokens + MESSAGE_OVERHEAD * turn.output.length;
}

/** The gateway's calls to hosted MCP servers, as mcp_call items (the key's other tools stay hidden, as on chat). */
function showHosted(
  state: NativeRunState,
  relay: ResponsesRelay,
  calls: readonly { id: string; function: { name: string; arguments: string } }[],
  results: readonly { tool_call_id: string; content: unknown }[],
): void {
  for (const call of calls) {
    const tool = state.hosted.get(call.function.name);
    if (!tool) continue;
    const raw = results.find((r) => r.tool_call_id === call.id)?.content;
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw ?? '');
    const summary = state.toolCalls.findLast((c) => c.id === call.id);
    const failed = summary !== undefined && summary.status !== 'ok';
    relay.writer.mcpCall({
      type: 'mcp_call',
      id: relay.newId('mcp'),
      server_label: tool.serverLabel,
      name: tool.entry.tool,
      arguments: call.function.arguments,
      output: failed ? null : text,
      error: failed ? text : null,
      approval_request_id: null,
      status: failed ? 'failed' : 'completed',
    });
  }
}

function upstreamStreamFailure(
  code: 'upstream_malformed' | 'upstream_stream_error' | 'upstream_stream_truncated',
  message: string,
): GatewayError {
  return new GatewayError({ status: 502, type: 'upstream_error', code, message, retryable: code !== 'upstream_stream_error' });
}

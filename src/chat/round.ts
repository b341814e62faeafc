// One round of the loop: build the upstream request from the conversation so far, call the model
// (with retries and fallbacks), forward streamed text to the client, and account for every attempt.
import type { ChatCompletionChunk, ChatRequest, Usage } from '../openai/types.js';
import { errorKind, GatewayError } from '../errors.js';
import { ClientAbortedError, type Flow } from '../upstream/client.js';
import { TurnAccumulator, turnFromCompletion, type AssistantTurn } from './accumulate.js';
import { callLlm } from './llm-call.js';
import type { AttemptHooks, AttemptResult, FinishLater, LlmCallDeps } from './attempts.js';
import type { LedgerSink, Metrics, Pricing, Reservation } from './ports.js';
import { callsGatewayTool, type LoopState, type RunState } from './run-state.js';
import type { Target } from './targets.js';
import { planAttempt, type AttemptPlan, type PlanInput } from '../governance/attempt-budget.js';
import { capMisplaced, withOutputCap } from '../governance/output-cap.js';
import { chargeFor, type SeenUsage } from '../governance/charge.js';
import type { TokenUsage } from '../ledger/pricing.js';

/** What a streamed chunk carries besides its delta, forwarded with it. */
export interface ChunkExtras {
  logprobs?: unknown;
  system_fingerprint?: string | null | undefined;
  service_tier?: unknown;
}

export interface StreamSink {
  /** Sends a content/tool-call delta to the client (the sink stamps id/model/created). */
  delta(delta: ChatCompletionChunk['choices'][number]['delta'], extras?: ChunkExtras): void;
  comment(text: string): void;
  /**
   * When given: takes the effects outside the request (settlement, metrics, llm_calls row) of the
   * round that ends the stream, for the stream to run after the client's last byte (stream-response.ts).
   */
  finishAfterEnd?: FinishLater;
  /** The client's back-pressure: the upstream is not read while it is full (UpstreamStream.read). */
  flow?: Flow | undefined;
}

export interface RoundDeps {
  llm: LlmCallDeps;
  pricing: Pricing;
  ledger: LedgerSink;
  metrics: Metrics;
  now(): number;
}

/** `isGateway`: whether a called tool is the gateway's (the loop goes on after a round that calls one). */
export async function runRound(
  deps: RoundDeps,
  state: RunState,
  final: boolean,
  sink: StreamSink | null,
  isGateway?: (name: string) => boolean,
): Promise<AssistantTurn> {
  const round = ++state.rounds;
  // Object.assign, not `{ ...state.request, messages }`: on Node 20 that literal gets a map of its own
  // per request (messages/handler.ts), and the adapter's for-in over it then has no enum cache.
  // `stream` is set here, where the request is copied anyway, so the attempt need not copy it again
  // to set it (llm-call.ts); the body sent upstream is the same either way.
  const request: ChatRequest = Object.assign({}, state.request, { messages: state.messages, stream: state.stream });
  if (state.offeredTools) {
    request.tools = state.offeredTools as ChatRequest['tools'];
    if (final) request.tool_choice = 'none';
  } else {
    delete request.tools;
  }
  const outcome = await callLlm(deps.llm, {
    targets: state.targets,
    request,
    stream: state.stream,
    signal: state.cancel,
    hooks: attemptHooks(deps, state, round, request),
  });
  state.lastTarget = outcome.target;
  if (outcome.kind === 'json') return turnFromCompletion(outcome.completion, outcome.text);

  const acc = new TurnAccumulator();
  // Streamed tool-call deltas go to the client live only when the gateway runs no tools itself;
  // otherwise they are held until we know whether they are the client's (see loop.ts).
  const forwardToolDeltas = state.injected.length === 0;
  try {
    await outcome.read((chunk) => {
      acc.add(chunk);
      const delta = chunk.choices[0]?.delta;
      if (!sink || !delta) return;
      const forwardTools = forwardToolDeltas && delta.tool_calls?.length;
      // A spoken answer's pieces (delta.audio) go as the upstream sent them, whatever the round.
      if (delta.content || delta.refusal || forwardTools || delta.audio) {
        const choice = chunk.choices[0];
        const forwarded: typeof delta = {};
        if (delta.content) forwarded.content = delta.content;
        if (delta.refusal) forwarded.refusal = delta.refusal;
        if (forwardTools) forwarded.tool_calls = delta.tool_calls;
        if (delta.audio) forwarded.audio = delta.audio;
        sink.delta(
          forwarded,
          choice?.logprobs != null || chunk.system_fingerprint != null || chunk.service_tier != null
            ? { logprobs: choice?.logprobs, system_fingerprint: chunk.system_fingerprint, service_tier: chunk.service_tier }
            : undefined,
        );
      }
    }, sink?.flow);
  } catch (err) {
    // Cut short (client gone, upstream broke): charged what the usage seen so far proves, or its reservation.
    outcome.handle.finish({
      status: 200,
      errorType:
        err instanceof ClientAbortedError ? 'client_aborted' : err instanceof GatewayError ? errorKind(err) : 'upstream_stream_error',
      partialUsage: acc.usage,
      mayHaveCost: true,
    });
    throw err;
  }
  const turn = acc.turn();
  // The round the loop ends on (no gateway calls): its effects after the client's last byte.
  const later = sink?.finishAfterEnd && isGateway && !callsGatewayTool(turn, isGateway) ? sink.finishAfterEnd : undefined;
  outcome.handle.finish({ status: 200, errorType: null, usage: turn.usage, mayHaveCost: true }, later);
  return turn;
}

/** The chat round's hooks: each attempt's plan from the chat request, its output cap applied to it. */
function attemptHooks(deps: RoundDeps, state: RunState, round: number, request: ChatRequest): AttemptHooks {
  return {
    async start(target: Target, attempt: number) {
      const plan = planFor(deps, state, target, request, state.audioTokens);
      state.spokenCap = plan.outputTokens;
      const budgeted = await startAttempt(deps, state, round, target, attempt, plan);
      // No cap to add (the client sent one, or no budget applies) nor one to move: the request goes as it is, without a closure per attempt.
      if (plan.sendCap === undefined && !capMisplaced(request, target.provider.maxTokensField)) return { finish: budgeted.finish };
      return { prepare: (req) => withOutputCap(req, plan.sendCap, target.provider.maxTokensField), finish: budgeted.finish };
    },
    holdPlace: () => holdPlace(state),
  };
}

/** A slot of the key's calls in flight kept while a request waits to retry (attempts.ts), and what gives it back. */
function holdPlace(state: LoopState): (() => void) | undefined {
  const hold = state.access.holdSlot();
  return hold ? () => state.access.endCall(hold) : undefined;
}

/**
 * A pass-through round's hooks (Messages, Responses): each attempt planned from the format's own
 * request bound (output caps, input bound), the plan handed on so the body can carry its cap.
 */
export function nativeAttemptHooks(deps: RoundDeps, state: LoopState, round: number, request: PlanInput['request']) {
  return {
    async start(target: Target, attempt: number) {
      const plan = planFor(deps, state, target, request);
      const started = await startAttempt(deps, state, round, target, attempt, plan);
      return { plan, finish: started.finish };
    },
    holdPlace: () => holdPlace(state),
  };
}

/**
 * One upstream attempt's budget and ledger, for any wire format: before it, the reservation of its
 * plan (governance/attempt-budget.ts: output cap, input bound); after it, the charge
 * (governance/charge.ts), settlement, token count, metrics and the llm_calls row.
 */
export async function startAttempt(
  deps: RoundDeps,
  state: LoopState,
  round: number,
  target: Target,
  attempt: number,
  plan: AttemptPlan,
): Promise<{ finish(result: AttemptResult, later?: FinishLater): void }> {
  // The key's slot of calls in flight and its tokens reserved first: a 429 there costs no budget round trip.
  const hold = await state.access.startCall(plan.promptTokens + plan.outputTokens, target);
  let reservation: Reservation;
  try {
    reservation = await state.access.reserve(plan.amountUsd);
  } catch (err) {
    state.access.endCall(hold);
    state.access.settleTokens(hold, 0);
    throw err;
  }
  let ended = false;
  const startedAt = deps.now();
  const ts = Date.now();
  return {
    /**
     * What the request's state holds of the attempt (cost, usage) changes at once; its effects
     * outside the request (budget settlement, the rate limit's tokens, metrics, the llm_calls row)
     * run now, or, with `later`, when the caller runs them: the round that ends a stream hands them
     * to run after the client's last byte (issue 20: ~30 us between the upstream's last event and
     * the client's end() at load 9, half of that gap).
     */
    finish({ status, errorType, usage, partialUsage, mayHaveCost, hostedFees }, later) {
      // The slot goes back when the call ends, not with the effects (which may wait for the client).
      if (!ended) state.access.endCall(hold);
      ended = true;
      const seen: SeenUsage = usage
        ? { kind: 'usage', usage: tokenUsage(usage) }
        : partialUsage
          ? { kind: 'partial', usage: tokenUsage(partialUsage) }
          : { kind: 'none', mayHaveCost };
      const charge = chargeFor(plan, seen, (u) => deps.pricing.costOf(target.providerName, target.model, u), hostedFees);
      state.costUsd += charge.usd;
      if (charge.costUnknown) state.costUnknown = true;
      if (charge.basis === 'estimate') state.costEstimated = true;
      if (usage) state.usage = addUsageTotals(state.usage, usage);
      const latencyMs = deps.now() - startedAt;
      const effects = () => {
        state.access.settle(reservation, charge.usd);
        state.access.settleTokens(hold, charge.tokens);
        deps.metrics.llmAttempt({ provider: target.providerName, model: target.model, status, errorType }, latencyMs / 1000);
        const seenUsage = usage ?? partialUsage;
        void deps.ledger.llmCall({
          requestId: state.requestId,
          ts,
          round,
          attempt,
          provider: target.providerName,
          model: target.model,
          status,
          errorType,
          promptTokens: seenUsage?.prompt_tokens ?? 0,
          completionTokens: seenUsage?.completion_tokens ?? 0,
          cachedTokens: seenUsage?.prompt_tokens_details?.cached_tokens ?? 0,
          costUsd: charge.costUsd,
          costUnknown: charge.costUnknown,
          costBasis: charge.basis,
          latencyMs: Math.round(latencyMs),
        });
      };
      if (later) later(effects);
      else effects();
    },
  };
}

function planFor(
  deps: Pick<RoundDeps, 'pricing'>,
  state: LoopState,
  target: Target,
  request: PlanInput['request'],
  byIdTokens?: number,
): AttemptPlan {
  return planAttempt({
    request,
    byIdTokens,
    modelId: target.id,
    budgeted: state.access.budgeted,
    price: deps.pricing.priceOf(target.providerName, target.model),
    limits: deps.pricing.limitsOf(target.providerName, target.model),
    defaultMaxTokens: target.provider.defaultMaxTokens,
    unpricedCallUsd: deps.pricing.unpricedCallUsd,
  });
}

function tokenUsage(usage: Usage): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: usage.prompt_tokens_details?.cache_creation_tokens ?? 0,
    cacheWrite1hTokens: usage.prompt_tokens_details?.cache_creation_1h_tokens ?? 0,
    audioInputTokens: usage.prompt_tokens_details?.audio_tokens ?? 0,
    audioOutputTokens: usage.completion_tokens_details?.audio_tokens ?? 0,
  };
}

export function addUsageTotals(total: Usage | undefined, usage: Usage): Usage {
  const cached = (total?.prompt_tokens_details?.cached_tokens ?? 0) + (usage.prompt_tokens_details?.cached_tokens ?? 0);
  const written = (total?.prompt_tokens_details?.cache_creation_tokens ?? 0) + (usage.prompt_tokens_details?.cache_creation_tokens ?? 0);
  const written1h =
    (total?.prompt_tokens_details?.cache_creation_1h_tokens ?? 0) + (usage.prompt_tokens_details?.cache_creation_1h_tokens ?? 0);
  const reasoning = (total?.completion_tokens_details?.reasoning_tokens ?? 0) + (usage.completion_tokens_details?.reasoning_tokens ?? 0);
  const audioIn = (total?.prompt_tokens_details?.audio_tokens ?? 0) + (usage.prompt_tokens_details?.audio_tokens ?? 0);
  const audioOut = (total?.completion_tokens_details?.audio_tokens ?? 0) + (usage.completion_tokens_details?.audio_tokens ?? 0);
  const prompt = (total?.prompt_tokens ?? 0) + usage.prompt_tokens;
  const completion = (total?.completion_tokens ?? 0) + usage.completion_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cached || written || audioIn
      ? {
          prompt_tokens_details: {
            cached_tokens: cached,
            ...(written ? { cache_creation_tokens: written } : {}),
            ...(written1h ? { cache_creation_1h_tokens: written1h } : {}),
            ...(audioIn ? { audio_tokens: audioIn } : {}),
          },
        }
      : {}),
    // Reasoning and audio tokens are part of completion_tokens; the split is kept for the client (issue 16).
    ...(usage.completion_tokens_details || total?.completion_tokens_details
      ? { completion_tokens_details: { reasoning_tokens: reasoning, ...(audioOut ? { audio_tokens: audioOut } : {}) } }
      : {}),
  };
}

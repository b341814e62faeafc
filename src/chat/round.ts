// One round of the loop: build the upstream request from the conversation so far, call the model
// (with retries and fallbacks), forward streamed text to the client, and account for every attempt.
import type { ChatCompletionChunk, ChatRequest, Usage } from '../openai/types.js';
import { errorKind, GatewayError } from '../errors.js';
import { ClientAbortedError } from '../upstream/client.js';
import { TurnAccumulator, turnFromCompletion, type AssistantTurn } from './accumulate.js';
import { callLlm, type AttemptHooks, type LlmCallDeps } from './llm-call.js';
import type { LedgerSink, Metrics, Pricing, Reservation } from './ports.js';
import type { RunState } from './run-state.js';
import type { Target } from './targets.js';
import { estimatePromptChars } from './estimate.js';
import { estimateWorstCaseUsd } from '../governance/budgets.js';

export interface StreamSink {
  /** Sends a content/tool-call delta to the client (the sink stamps id/model/created). */
  delta(delta: ChatCompletionChunk['choices'][number]['delta']): void;
  comment(text: string): void;
}

export interface RoundDeps {
  llm: LlmCallDeps;
  pricing: Pricing;
  ledger: LedgerSink;
  metrics: Metrics;
  now(): number;
}

export async function runRound(deps: RoundDeps, state: RunState, final: boolean, sink: StreamSink | null): Promise<AssistantTurn> {
  const round = ++state.rounds;
  const request: ChatRequest = { ...state.request, messages: state.messages };
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
    signal: state.signal,
    hooks: attemptHooks(deps, state, round, request),
  });
  state.lastTarget = outcome.target;
  if (outcome.kind === 'json') return turnFromCompletion(outcome.completion, outcome.text);

  const acc = new TurnAccumulator();
  // Streamed tool-call deltas go to the client live only when the gateway runs no tools itself;
  // otherwise they are held until we know whether they are the client's (see loop.ts).
  const forwardToolDeltas = state.injected.length === 0;
  try {
    for await (const chunk of outcome.chunks) {
      acc.add(chunk);
      const delta = chunk.choices[0]?.delta;
      if (!sink || !delta) continue;
      const forwardTools = forwardToolDeltas && delta.tool_calls?.length;
      if (delta.content || delta.refusal || forwardTools) {
        sink.delta({
          ...(delta.content ? { content: delta.content } : {}),
          ...(delta.refusal ? { refusal: delta.refusal } : {}),
          ...(forwardTools ? { tool_calls: delta.tool_calls } : {}),
        });
      }
    }
  } catch (err) {
    outcome.handle.finish({
      status: 200,
      errorType:
        err instanceof ClientAbortedError ? 'client_aborted' : err instanceof GatewayError ? errorKind(err) : 'upstream_stream_error',
    });
    throw err;
  }
  const turn = acc.turn();
  outcome.handle.finish({ status: 200, errorType: null, usage: turn.usage });
  return turn;
}

/** Budget reservation before each upstream attempt; settlement, cost and the ledger row after. */
function attemptHooks(deps: RoundDeps, state: RunState, round: number, request: ChatRequest): AttemptHooks {
  const promptChars = estimatePromptChars(request);
  return {
    async start(target: Target, attempt: number) {
      const reservation = await reserveFor(deps, state, target, request, promptChars);
      const startedAt = deps.now();
      const ts = Date.now();
      return {
        finish({ status, errorType, usage }) {
          const cost = usage ? costOf(deps, target, usage) : 0;
          if (cost === null) state.costUnknown = true;
          else state.costUsd += cost;
          state.access.settle(reservation, cost ?? 0);
          if (usage) {
            state.usage = addUsageTotals(state.usage, usage);
            state.access.recordTokens(usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens);
          }
          const latencyMs = deps.now() - startedAt;
          deps.metrics.llmAttempt({ provider: target.providerName, model: target.model, status, errorType }, latencyMs / 1000);
          void deps.ledger.llmCall({
            requestId: state.requestId,
            ts,
            round,
            attempt,
            provider: target.providerName,
            model: target.model,
            status,
            errorType,
            promptTokens: usage?.prompt_tokens ?? 0,
            completionTokens: usage?.completion_tokens ?? 0,
            cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
            costUsd: usage ? cost : 0,
            costUnknown: cost === null,
            latencyMs: Math.round(latencyMs),
          });
        },
      };
    },
  };
}

async function reserveFor(
  deps: RoundDeps,
  state: RunState,
  target: Target,
  request: ChatRequest,
  promptChars: number,
): Promise<Reservation> {
  const price = deps.pricing.priceOf(target.providerName, target.model);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? target.provider.defaultMaxTokens;
  return state.access.reserve(estimateWorstCaseUsd({ promptChars, maxTokens, price }));
}

function costOf(deps: RoundDeps, target: Target, usage: Usage): number | null {
  return deps.pricing.costOf(target.providerName, target.model, {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: usage.prompt_tokens_details?.cache_creation_tokens ?? 0,
  });
}

function addUsageTotals(total: Usage | undefined, usage: Usage): Usage {
  const cached = (total?.prompt_tokens_details?.cached_tokens ?? 0) + (usage.prompt_tokens_details?.cached_tokens ?? 0);
  const prompt = (total?.prompt_tokens ?? 0) + usage.prompt_tokens;
  const completion = (total?.completion_tokens ?? 0) + usage.completion_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cached ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
}

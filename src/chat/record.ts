// The requests row: one per inbound LLM request (chat, messages, responses), written when its outcome is known. Its totals
// are the sums of its llm_calls and tool_calls rows (the loop adds them up as it goes).
import { errorKind, type GatewayError } from '../errors.js';
import type { Access, LedgerSink, Metrics } from './ports.js';
import type { LoopState, Surface } from './run-state.js';
import type { RequestOperation } from '../ledger/rows.js';
import { MODEL_WITHIN_CHARS, topLevelString } from '../wire/top-level-string.js';

export interface RecordDeps {
  ledger: LedgerSink;
  metrics: Metrics;
  now(): number;
  payloads: boolean;
}

export interface RequestOutcome {
  status: number;
  startedAt: number;
  error?: GatewayError;
  body?: unknown;
  /** For failures before the run state existed. */
  access?: Access | undefined;
  model?: string | undefined;
  requestId?: string;
  /** For failures before the run state existed. */
  surface?: Surface;
  /** The raw body, for the model of a request refused before it was parsed (a rate limit at admission). */
  bodyText?: string | undefined;
  sessionId?: string | null;
  /** Not a model call: a token count, a stored response's retrieval (no state, no cost). */
  operation?: RequestOperation;
  /** For requests that run no target (a stored response's retrieval): what its stored entry names. */
  provider?: string | undefined;
  upstreamModel?: string | undefined;
}

export function recordRequest(deps: RecordDeps, state: LoopState | undefined, outcome: RequestOutcome): void {
  // A refusal at admission (429, blocked key) has no Access yet; the error says whom it refused.
  const access = state?.access ?? outcome.access ?? outcome.error?.requester;
  const requestId = state?.requestId ?? outcome.requestId;
  if (!requestId) return;
  const target = state?.lastTarget ?? state?.targets[0];
  const usage = state?.usage;
  const latencyMs = Math.round(deps.now() - outcome.startedAt);
  const surface = state?.surface ?? outcome.surface ?? 'chat';
  // An /mcp POST's row (a 503 while draining: routes/record-refused.ts) is no LLM request.
  if (surface !== 'mcp')
    deps.metrics.chatRequest(
      {
        surface,
        provider: target?.providerName ?? null,
        model: target?.model ?? null,
        status: outcome.status,
        stream: state?.stream ?? false,
      },
      latencyMs / 1000,
    );
  if (outcome.error?.type === 'budget_exceeded')
    deps.metrics.rejection('budget', outcome.error.code?.replace('_budget_exceeded', '') ?? 'key');
  if (outcome.error?.type === 'rate_limited') deps.metrics.rejection('rate_limit', 'key');
  void deps.ledger.request({
    id: requestId,
    ts: Date.now() - latencyMs,
    keyId: access?.keyId ?? null,
    teamId: access?.teamId ?? null,
    customerId: access?.customerId ?? null,
    model: state?.model ?? outcome.model ?? (access && outcome.bodyText ? modelOf(outcome.bodyText) : null),
    provider: target?.providerName ?? outcome.provider ?? null,
    upstreamModel: target?.model ?? outcome.upstreamModel ?? null,
    status: outcome.status,
    errorType: outcome.error ? errorKind(outcome.error) : null,
    errorMessage: outcome.error ? outcome.error.message.slice(0, 1000) : null,
    stream: state?.stream ?? false,
    rounds: state?.rounds ?? 0,
    toolCalls: state?.toolCalls.length ?? 0,
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    // The known parts (estimates included), with unknown parts flagged: what the budget counters
    // hold. NULL when nothing had a price and nothing was charged (never a fake 0).
    costUsd: state?.costUnknown && state.costUsd === 0 ? null : (state?.costUsd ?? 0),
    costUnknown: state?.costUnknown ?? false,
    costBasis: state?.costEstimated ? 'estimate' : 'usage',
    latencyMs,
    source: surface === 'mcp' ? 'mcp' : 'chat',
    surface,
    sessionId: state?.sessionId ?? outcome.sessionId ?? null,
    operation: outcome.operation ?? 'call',
    warnings: state?.warnings?.length ? state.warnings.join('; ') : null,
  });
  if (deps.payloads && state) {
    void deps.ledger.payload({ requestId, ts: Date.now(), kind: 'request', ref: null, body: JSON.stringify(state.clientRequest) });
    if (outcome.body !== undefined)
      void deps.ledger.payload({ requestId, ts: Date.now(), kind: 'response', ref: null, body: JSON.stringify(outcome.body) });
  }
}

/**
 * The `model` of a body not parsed yet (refused at admission), so the refusal row names it. Only
 * for known keys (a key's own bodies, bounded by maxBodyBytes); never a reason to fail. Read from
 * the body's start without parsing it (top-level-string.ts): parsing a refused body was CPU a key
 * over its rate limit could spend for free, up to maxBodyBytes a request.
 */
function modelOf(bodyText: string): string | null {
  return topLevelString(bodyText.length > MODEL_WITHIN_CHARS ? bodyText.slice(0, MODEL_WITHIN_CHARS) : bodyText, 'model') ?? null;
}

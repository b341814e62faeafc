// What one upstream attempt may cost, decided before it is sent: the output cap it is sent with
// (output-cap.ts), the bound on its input (prompt-bound.ts), and the reservation that follows from
// both at the model's price. Pure; the loop calls planAttempt() before every attempt (retries and
// fallbacks included) and reserves `amountUsd`.
import { GatewayError } from '../errors.js';
import type { ChatRequest } from '../openai/types.js';
import type { ModelLimits } from '../ledger/pricing.js';
import { type CapFields, clientOutputCap, decideOutputCap } from './output-cap.js';
import { DEFAULT_IMAGE_TOKENS, predictionTokenBound, promptTokenBound } from './prompt-bound.js';
import type { HostedReserve } from './hosted-tools.js';

export interface PriceLike {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok?: number | undefined;
  cacheWritePerMTok?: number | undefined;
  cacheWrite1hPerMTok?: number | undefined;
  audioInputPerMTok?: number | undefined;
  audioOutputPerMTok?: number | undefined;
}

export interface AttemptPlan {
  /** Upper bound of the input tokens. */
  promptTokens: number;
  /** Output tokens reserved: the cap the upstream is sent (or the client's own), plus a chat prediction's bound. */
  outputTokens: number;
  /** The cap the gateway adds to the upstream request; undefined = the request goes as it is. */
  sendCap: number | undefined;
  price: PriceLike | undefined;
  /** The operator's per-call charge for an unpriced model (config unpricedModels). */
  perCallUsd: number | undefined;
  /** The part of amountUsd for tools the upstream runs (fees and their content allowance): hosted-tools.ts. */
  hostedUsd?: number;
  /** The reservation: the most this attempt can cost. */
  amountUsd: number;
}

/** A request in another wire format: its output cap fields and the bound on its input tokens. */
export interface BoundedRequest {
  bounded: true;
  caps: CapFields;
  promptTokens: number;
  /** Images in the input, each billed up to the model's maxImageTokens: added to promptTokens per target. */
  images?: number | undefined;
  /** Tools the upstream runs itself, at their bound (undefined: none offered). */
  hosted?: HostedReserve | undefined;
}

const isBounded = (r: ChatRequest | BoundedRequest): r is BoundedRequest => (r as BoundedRequest).bounded === true;

export interface PlanInput {
  /**
   * The request as it goes to this attempt (messages so far, tools offered). Other wire formats give
   * their output cap fields and their own input bound (e.g. wire/messages/prompt-bound.ts).
   */
  request: ChatRequest | BoundedRequest;
  /** `provider/model`, for messages. */
  modelId: string;
  budgeted: boolean;
  price: PriceLike | undefined;
  limits: ModelLimits;
  defaultMaxTokens: number;
  unpricedCallUsd: number | undefined;
  /** Input the upstream reads from its own store (a chat spoken answer by audio id): added to the input bound. */
  byIdTokens?: number | undefined;
}

/** Input tokens may be billed as fresh, cached, cache-write (5-minute or 1-hour) or audio tokens: the worst case takes the dearest. */
function dearestInputPerMTok(price: PriceLike): number {
  return Math.max(
    price.inputPerMTok,
    price.cachedInputPerMTok ?? 0,
    price.cacheWritePerMTok ?? 0,
    price.cacheWrite1hPerMTok ?? 0,
    price.audioInputPerMTok ?? 0,
  );
}

/** Output tokens may all be audio (an audio model's spoken answer): the worst case takes the dearer rate. */
const dearestOutputPerMTok = (price: PriceLike): number => Math.max(price.outputPerMTok, price.audioOutputPerMTok ?? 0);

export function worstCaseUsd(promptTokens: number, outputTokens: number, price: PriceLike): number {
  return (promptTokens * dearestInputPerMTok(price) + outputTokens * dearestOutputPerMTok(price)) / 1_000_000;
}

/**
 * A budget cannot hold a model whose calls have no price: a key, team or customer with a budget is
 * refused it, unless the operator stated a charge per call for such models.
 */
export function requirePriceUnderBudget(input: {
  modelId: string;
  budgeted: boolean;
  priced: boolean;
  unpricedCallUsd: number | undefined;
}) {
  if (!input.budgeted || input.priced || input.unpricedCallUsd !== undefined) return;
  throw new GatewayError({
    status: 403,
    type: 'model_blocked',
    code: 'model_unpriced',
    param: 'model',
    message:
      `model ${input.modelId} has no price, so a budget cannot hold it: add it to "pricing" in the config ` +
      `({"${input.modelId}": {"inputPerMTok": …, "outputPerMTok": …}}), or set "unpricedModels": {"chargePerCallUsd": …} to allow unpriced models at a stated charge per call`,
  });
}

export function planAttempt(input: PlanInput): AttemptPlan {
  requirePriceUnderBudget({
    modelId: input.modelId,
    budgeted: input.budgeted,
    priced: input.price !== undefined,
    unpricedCallUsd: input.unpricedCallUsd,
  });
  const cap = decideOutputCap({
    clientCap: clientOutputCap(isBounded(input.request) ? input.request.caps : input.request),
    budgeted: input.budgeted,
    modelMaxOutput: input.limits.maxOutputTokens,
    defaultMaxTokens: input.defaultMaxTokens,
  });
  const promptTokens = isBounded(input.request)
    ? input.request.promptTokens + (input.request.images ?? 0) * (input.limits.maxImageTokens ?? DEFAULT_IMAGE_TOKENS)
    : promptTokenBound(input.request, { maxImageTokens: input.limits.maxImageTokens }) + (input.byIdTokens ?? 0);
  // A chat request's prediction is billed as output past the cap where the answer departs from it.
  const outputTokens = cap.reserve + (isBounded(input.request) ? 0 : predictionTokenBound(input.request.prediction));
  const perCallUsd = input.price ? undefined : input.unpricedCallUsd;
  const hosted = isBounded(input.request) ? input.request.hosted : undefined;
  // Each use's fee, and the content it brings in at the dearest input rate (an allowance: README).
  const hostedUsd = hosted ? hosted.feesUsd + (input.price ? worstCaseUsd(hosted.contentTokens, 0, input.price) : 0) : 0;
  const amountUsd = (input.price ? worstCaseUsd(promptTokens, outputTokens, input.price) : (perCallUsd ?? 0)) + hostedUsd;
  return { promptTokens, outputTokens, sendCap: cap.send, price: input.price, perCallUsd, hostedUsd, amountUsd };
}

// Fees of tools the upstream runs itself (Anthropic's server tools, Responses' built-in tools): the
// worst case a round reserves for them and what its uses cost once the upstream reports them. Pure;
// the wire formats say which tools are hosted, what bounds their uses and how uses are reported
// (wire/messages/server-tools.ts, wire/responses/hosted-tools.ts). README, "Budgets".
import { HOSTED_TOOLS_DEFAULTS } from '../config-hosted-tools.js';
import { GatewayError } from '../errors.js';

/** One hosted tool type offered in a round: its fee key (`<api>/<type without its date>`) and the most uses the upstream may make. */
export interface HostedOffer {
  key: string;
  /** The tool's `type` as the client sent it (for messages). */
  type: string;
  /** Uses bounded by what the upstream is sent (max_uses, max_tool_calls). */
  maxUses: number;
}

/** What a round reserves for its hosted tools, beside the model's input bound and output cap. */
export interface HostedReserve {
  /** Worst-case fees: Σ max uses × fee. */
  feesUsd: number;
  /** Input tokens reserved for what the uses bring into the context: worst-case uses × `contentTokensPerUse`. */
  contentTokens: number;
}

/** USD per use of a hosted tool type; undefined = unpriced. */
export type FeeOf = (key: string) => number | undefined;

/** A key, team or customer with a budget cannot use a hosted tool whose fee is unknown: refused like an unpriced model. */
export function hostedToolUnpriced(offer: HostedOffer): GatewayError {
  return new GatewayError({
    status: 403,
    type: 'model_blocked',
    code: 'hosted_tool_unpriced',
    param: 'tools',
    message:
      `hosted tool ${offer.type} has no price, so a budget cannot hold its uses: add it to "pricing" in the config ` +
      `({"hosted:${offer.key}": {"perUseUsd": …}}), or leave the tool out`,
  });
}

/**
 * A tool whose `type` the gateway does not know (neither a plain tool, an Anthropic-schema client
 * tool nor a hosted tool it knows) under a budget: the upstream may expand it into a prompt of its
 * own or bill its uses beyond tokens, neither of which the request's bytes bound, so it is refused
 * like an unpriced hosted tool (same status and code) rather than counted at a guessed figure: a
 * guess would be a bound nobody checked, for a tool nobody priced.
 */
export function toolTypeUnknown(type: string, param: string): GatewayError {
  return new GatewayError({
    status: 403,
    type: 'model_blocked',
    code: 'hosted_tool_unpriced',
    param,
    message:
      `tool type ${type} is not one the gateway knows, so a budget cannot bound what the upstream adds for it ` +
      '(a prompt of its own, uses billed beyond tokens): leave the tool out, or use a key without a budget',
  });
}

/**
 * The worst case of a round's hosted tools: every offered tool used its bound. Under a budget an
 * unpriced one is refused; without one it reserves nothing (its uses are recorded as unknown cost).
 */
export function hostedReserve(
  offers: readonly HostedOffer[],
  feeOf: FeeOf,
  opts: { budgeted: boolean; contentTokensPerUse: number },
): HostedReserve {
  let feesUsd = 0;
  let uses = 0;
  for (const offer of offers) {
    const fee = feeOf(offer.key);
    if (fee === undefined) {
      if (opts.budgeted) throw hostedToolUnpriced(offer);
      continue;
    }
    feesUsd += offer.maxUses * fee;
    uses += offer.maxUses;
  }
  return { feesUsd, contentTokens: uses * opts.contentTokensPerUse };
}

/** What a round's reported uses cost: Σ uses × fee; `unknown` when a used tool has no price (nothing charged for it). */
export interface HostedFees {
  usd: number;
  unknown: boolean;
}

export const NO_FEES: HostedFees = { usd: 0, unknown: false };

export function hostedFees(uses: Iterable<readonly [key: string, count: number]>, feeOf: FeeOf): HostedFees {
  let usd = 0;
  let unknown = false;
  for (const [key, count] of uses) {
    if (!(count > 0)) continue;
    const fee = feeOf(key);
    if (fee === undefined) unknown = true;
    else usd += count * fee;
  }
  return usd === 0 && !unknown ? NO_FEES : { usd, unknown };
}

/** The config's hosted tool settings from a pricing port (test fakes may have none). */
export function hostedSettings(pricing: {
  hostedFee?(key: string): number | undefined;
  hostedTools?: { defaultMaxUses: number; contentTokensPerUse: number } | undefined;
}): { feeOf: FeeOf; defaultMaxUses: number; contentTokensPerUse: number } {
  return {
    feeOf: (key) => pricing.hostedFee?.(key),
    defaultMaxUses: (pricing.hostedTools ?? HOSTED_TOOLS_DEFAULTS).defaultMaxUses,
    contentTokensPerUse: (pricing.hostedTools ?? HOSTED_TOOLS_DEFAULTS).contentTokensPerUse,
  };
}

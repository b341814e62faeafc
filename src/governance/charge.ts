// What an upstream attempt is charged once it is over, from what the gateway saw of its usage. Pure.
//
// - The provider's usage, complete: its cost ("usage" basis).
// - Part of it (a stream cut short by the client or the upstream after Anthropic's message_start,
//   which carries the input tokens): the proven input at its price plus the reserved output cap
//   (what the upstream generated after the cut is unknown, and may be billed), as an "estimate".
// - Nothing, though the request may have reached the upstream (a 2xx without usage, a stream cut
//   before any usage, a timeout or reset after sending, a client gone): the whole reservation, as
//   an "estimate" — the only figure that is sure not to be below the bill.
// - Nothing, and the upstream answered with an error or was never reached: nothing.
// The amount charged is never a silent 0 for a call that may have cost money.
// Tools the upstream ran itself (web search…) add their fees: per use reported with the usage
// (hosted-tools.ts), else, when the usage is partial, what the plan reserved for them.
import type { AttemptPlan } from './attempt-budget.js';
import type { TokenUsage } from '../ledger/pricing.js';
import type { CostBasis } from '../ledger/rows.js';
import type { HostedFees } from './hosted-tools.js';

export type SeenUsage =
  | { kind: 'usage'; usage: TokenUsage }
  | { kind: 'partial'; usage: TokenUsage }
  | { kind: 'none'; mayHaveCost: boolean };

export interface Charge {
  /** Charged to the budget counters. */
  usd: number;
  /** For the ledger: the amount, or null when the price is unknown and nothing was charged. */
  costUsd: number | null;
  /** The model has no price (the amount is 0, or the operator's per-call charge). */
  costUnknown: boolean;
  basis: CostBasis;
  /** Counted against token rate limits. */
  tokens: number;
}

type CostOf = (usage: TokenUsage) => number | null;

const NOTHING: Charge = { usd: 0, costUsd: 0, costUnknown: false, basis: 'usage', tokens: 0 };

function priced(plan: AttemptPlan, cost: number | null, basis: CostBasis, tokens: number): Charge {
  if (cost !== null) return { usd: cost, costUsd: cost, costUnknown: false, basis, tokens };
  // No price: the operator's stated per-call charge (an estimate by nature), else NULL and flagged.
  if (plan.perCallUsd !== undefined)
    return { usd: plan.perCallUsd, costUsd: plan.perCallUsd, costUnknown: true, basis: 'estimate', tokens };
  return { usd: 0, costUsd: null, costUnknown: true, basis, tokens };
}

/** A charge with a round's hosted tool fees added (unknown fees flag it, as an unpriced model does). */
function withFees(charge: Charge, usd: number, unknown: boolean): Charge {
  if (usd === 0 && !unknown) return charge;
  return {
    usd: charge.usd + usd,
    costUsd: charge.costUsd === null ? null : charge.costUsd + usd,
    costUnknown: charge.costUnknown || unknown,
    basis: charge.basis,
    tokens: charge.tokens,
  };
}

export function chargeFor(plan: AttemptPlan, seen: SeenUsage, costOf: CostOf, fees?: HostedFees): Charge {
  if (seen.kind === 'usage') {
    const u = seen.usage;
    const charge = priced(plan, costOf(u), 'usage', u.promptTokens + u.completionTokens);
    return fees ? withFees(charge, fees.usd, fees.unknown) : charge;
  }
  if (seen.kind === 'partial' && seen.usage.promptTokens > 0) {
    const u = Object.assign({}, seen.usage, { completionTokens: Math.max(seen.usage.completionTokens, plan.outputTokens) });
    // The uses made before the cut are not known: what the plan reserved for them.
    return withFees(priced(plan, costOf(u), 'estimate', u.promptTokens + u.completionTokens), plan.hostedUsd ?? 0, false);
  }
  if (seen.kind === 'none' && !seen.mayHaveCost) return NOTHING;
  const tokens = plan.promptTokens + plan.outputTokens;
  if (plan.price) return priced(plan, plan.amountUsd, 'estimate', tokens);
  // An unpriced model's stated charge does not hold the hosted part of the reservation: added.
  return withFees(priced(plan, null, 'estimate', tokens), plan.hostedUsd ?? 0, false);
}

// A request's targets: its model, then its `fallbacks` (Tollgate's extension field), each resolved
// to a provider and checked before anything is sent: the key may use it, and under a budget it has
// a price (a budget cannot hold a model without one, nor a fallback's, nor a dearer service tier
// than the table's). Every surface's way in.
import { requirePriceUnderBudget } from '../governance/attempt-budget.js';
import { GatewayError } from '../errors.js';
import type { ChatDeps } from './handler.js';
import type { Access } from './ports.js';
import type { Target } from './targets.js';

export function resolveTargets(
  deps: Pick<ChatDeps, 'targets' | 'pricing'>,
  request: { model: string; fallbacks?: readonly string[] | undefined; service_tier?: unknown },
  access: Access,
): Target[] {
  if (access.budgeted) requireTableTier(request.service_tier);
  const targets = [request.model, ...(request.fallbacks ?? [])].map((name, i) =>
    deps.targets.resolve(name, i === 0 ? 'model' : `fallbacks[${i - 1}]`),
  );
  for (const target of targets) {
    access.checkModel(target);
    requirePriceUnderBudget({
      modelId: target.id,
      budgeted: access.budgeted,
      priced: deps.pricing.priceOf(target.providerName, target.model) !== undefined,
      unpricedCallUsd: deps.pricing.unpricedCallUsd,
    });
  }
  return targets;
}

/**
 * Tiers billed at the table's rates or less (OpenAI: `auto` and `default` the standard rates unless
 * the operator's project says otherwise, `flex` half). Any other (`priority`, about twice the
 * standard rates; `scale`; a compatible server's own) has no price here, so a budget cannot hold it.
 */
const TABLE_TIERS: ReadonlySet<unknown> = new Set([undefined, null, 'auto', 'default', 'flex']);

function requireTableTier(tier: unknown): void {
  if (TABLE_TIERS.has(tier)) return;
  throw new GatewayError({
    status: 403,
    type: 'model_blocked',
    code: 'model_unpriced',
    param: 'service_tier',
    message: `service_tier ${JSON.stringify(tier)} is billed at rates the price table does not hold, so a budget cannot hold it: send "default" or "flex", or leave it out`,
  });
}

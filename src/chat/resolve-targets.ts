// A request's targets: its model, then its `fallbacks` (Tollgate's extension field), each resolved
// to a provider and checked before anything is sent: the key may use it, and under a budget it has
// a price (a budget cannot hold a model without one, nor a fallback's). Every surface's way in.
import { requirePriceUnderBudget } from '../governance/attempt-budget.js';
import type { ChatDeps } from './handler.js';
import type { Access } from './ports.js';
import type { Target } from './targets.js';

export function resolveTargets(
  deps: Pick<ChatDeps, 'targets' | 'pricing'>,
  request: { model: string; fallbacks?: readonly string[] | undefined },
  access: Access,
): Target[] {
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

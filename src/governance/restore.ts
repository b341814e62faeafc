// At startup, budget counters are rebuilt from the ledger: the spend of each budgeted key, team and
// customer since its current period began. This is the only ledger scan budgets ever do; the
// request path only touches the counter store (memory, or Redis shared by replicas).
//
// With Redis the counters usually survive a restart and already hold what every replica spent, so
// a scope is seeded from the ledger only when Redis has no such scope (CounterStore.seedSpend, SETNX
// semantics): the first replica after a Redis wipe rebuilds it, every later one leaves it alone.
import type { SpendScope } from '../db/spend.js';
import type { BudgetGuard, BudgetLevel } from './budgets.js';
import { periodBounds } from './periods.js';
import type { GovernanceRegistry } from './registry.js';

/** USD spent by one key, team or customer since `sinceMs` (the SQLite or PostgreSQL ledger). */
export type SpendQuery = (scope: SpendScope, sinceMs: number) => Promise<number>;

function allLevels(registry: GovernanceRegistry): BudgetLevel[] {
  return [
    ...registry.listKeys().map((k) => ({ level: 'key' as const, id: k.id, budget: k.budget })),
    ...registry.listTeams().map((t) => ({ level: 'team' as const, id: t.id, budget: t.budget })),
    ...registry.listCustomers().map((c) => ({ level: 'customer' as const, id: c.id, budget: c.budget })),
  ];
}

/**
 * The start of the oldest budget period in force (0 with an all-time budget): ledger rows from then
 * on are what the restore reads, so retention must keep them. Infinity when nothing has a budget.
 */
export function oldestBudgetPeriodStart(registry: GovernanceRegistry, now: number): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const level of allLevels(registry)) if (level.budget) oldest = Math.min(oldest, periodBounds(level.budget.period, now).start);
  return oldest;
}

export async function restoreBudgets(deps: {
  registry: GovernanceRegistry;
  budgets: BudgetGuard;
  spend: SpendQuery;
  now: () => number;
}): Promise<void> {
  const now = deps.now();
  for (const level of allLevels(deps.registry)) {
    if (!level.budget) continue;
    const since = periodBounds(level.budget.period, now).start;
    const scope: SpendScope =
      level.level === 'key' ? { keyId: level.id } : level.level === 'team' ? { teamId: level.id } : { customerId: level.id };
    const spent = await deps.spend(scope, since ?? 0);
    if (spent > 0) await deps.budgets.restore(level, spent);
  }
}

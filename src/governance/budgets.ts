// Budgets for keys, teams and customers, each with its own period. A request reserves its
// worst-case cost on every level before it runs (spent + reserved + amount <= limit, all levels or
// none), then settles to the actual cost, so concurrent requests cannot overspend together.
import type { Budget } from '../config-schema.js';
import { type ErrorCode, GatewayError } from '../errors.js';
import type { CounterStore, ReserveEntry } from './counter-store.js';
import { periodBounds, type Period } from './periods.js';
import type { KeyContext } from './types.js';

export type BudgetLevelName = 'key' | 'team' | 'customer';

export interface BudgetLevel {
  level: BudgetLevelName;
  id: string;
  /** Without a budget the level's spend is still tracked (all time), with no limit. */
  budget?: Budget | undefined;
}

export interface Reservation {
  readonly entries: readonly ReserveEntry[];
  readonly levels: readonly BudgetLevel[];
  readonly amountUsd: number;
  /** Set once settled or released, so a second call cannot double count. */
  done: boolean;
}

export interface LevelUsage {
  level: BudgetLevelName;
  id: string;
  period: Period;
  limitUsd: number | null;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number | null;
  periodStart: string | null;
  periodEnd: string | null;
}

/** The levels a request is charged to: its key, the key's team, the team's customer. */
export function budgetLevels(ctx: KeyContext): BudgetLevel[] {
  const levels: BudgetLevel[] = [];
  if (ctx.key) levels.push({ level: 'key', id: ctx.key.id, budget: ctx.key.budget });
  if (ctx.team) levels.push({ level: 'team', id: ctx.team.id, budget: ctx.team.budget });
  if (ctx.customer) levels.push({ level: 'customer', id: ctx.customer.id, budget: ctx.customer.budget });
  return levels;
}

const periodOf = (l: BudgetLevel): Period => l.budget?.period ?? 'none';

/** The counter scope of a level at a time; contains the period start so each period starts at zero. */
export function budgetScope(l: BudgetLevel, now: number): string {
  const period = periodOf(l);
  return `${l.level}:${l.id}:${period}:${periodBounds(period, now).start}`;
}

function exhausted(l: BudgetLevel): GatewayError {
  const b = l.budget!;
  const per = b.period === 'none' ? ' (all time)' : `/${b.period}`;
  const name = l.level === 'key' ? `virtual key ${l.id}` : `${l.level} ${l.id}`;
  return new GatewayError({
    status: 402,
    type: 'budget_exceeded',
    code: `${l.level}_budget_exceeded` satisfies ErrorCode,
    message: `${name} budget of $${b.usd}${per} exhausted`,
  });
}

export interface PriceLike {
  inputPerMTok: number;
  outputPerMTok: number;
}

/**
 * The most a request can cost, for its reservation. The prompt is estimated at one token per 3
 * characters (real tokenizers average ~4: deliberately pessimistic, no tokenizer on the hot path).
 * An unknown price reserves 0: the request is still refused once a budget is exhausted, but it cannot
 * be held back in advance; its cost is recorded as NULL and flagged in the ledger, never as 0.
 */
export function estimateWorstCaseUsd(args: { promptChars: number; maxTokens: number; price: PriceLike | undefined | null }): number {
  if (!args.price) return 0;
  const promptTokens = Math.ceil(args.promptChars / 3);
  return (promptTokens * args.price.inputPerMTok + args.maxTokens * args.price.outputPerMTok) / 1_000_000;
}

export class BudgetGuard {
  constructor(private readonly deps: { store: CounterStore; now: () => number }) {}

  async reserve(ctx: KeyContext, amountUsd: number): Promise<Reservation> {
    const levels = budgetLevels(ctx);
    const now = this.deps.now();
    const entries = levels.map((l) => ({ scope: budgetScope(l, now), limitUsd: l.budget?.usd ?? null, amountUsd }));
    const result = await this.deps.store.reserve(entries);
    if (!result.ok) throw exhausted(levels[entries.findIndex((e) => e.scope === result.exceeded)]!);
    return { entries, levels, amountUsd, done: false };
  }

  /** Replaces the reservation by the actual cost (on the scopes reserved, even if a period just ended). */
  async settle(reservation: Reservation, actualUsd: number): Promise<void> {
    if (reservation.done) return;
    reservation.done = true;
    await this.deps.store.settle(reservation.entries, reservation.amountUsd, actualUsd);
  }

  async release(reservation: Reservation): Promise<void> {
    if (reservation.done) return;
    reservation.done = true;
    await this.deps.store.release(reservation.entries, reservation.amountUsd);
  }

  /** Throws 402 when any level has nothing left (spent + reserved >= limit). */
  async check(ctx: KeyContext): Promise<void> {
    const now = this.deps.now();
    for (const l of budgetLevels(ctx)) {
      if (!l.budget) continue;
      const scope = budgetScope(l, now);
      const used = (await this.deps.store.spent(scope)) + (await this.deps.store.reserved(scope));
      if (used >= l.budget.usd) throw exhausted(l);
    }
  }

  /** Spend without a reservation (a tool cost already incurred). Never refuses: the money is gone. */
  async record(ctx: KeyContext, usd: number): Promise<void> {
    const now = this.deps.now();
    for (const l of budgetLevels(ctx)) await this.deps.store.addSpend(budgetScope(l, now), usd);
  }

  /**
   * At startup: the spend of a level in its current period, as summed from the ledger. Only when the
   * store has no such scope yet (see CounterStore.seedSpend); false when it was already there.
   */
  restore(level: BudgetLevel, usd: number): Promise<boolean> {
    return this.deps.store.seedSpend(budgetScope(level, this.deps.now()), usd);
  }

  async usage(target: KeyContext | readonly BudgetLevel[]): Promise<LevelUsage[]> {
    const levels = Array.isArray(target) ? (target as readonly BudgetLevel[]) : budgetLevels(target as KeyContext);
    const now = this.deps.now();
    return Promise.all(
      levels.map(async (l) => {
        const period = periodOf(l);
        const bounds = periodBounds(period, now);
        const scope = budgetScope(l, now);
        const spentUsd = await this.deps.store.spent(scope);
        const reservedUsd = await this.deps.store.reserved(scope);
        const limitUsd = l.budget?.usd ?? null;
        return {
          level: l.level,
          id: l.id,
          period,
          limitUsd,
          spentUsd,
          reservedUsd,
          remainingUsd: limitUsd === null ? null : Math.max(0, limitUsd - spentUsd - reservedUsd),
          periodStart: period === 'none' ? null : new Date(bounds.start).toISOString(),
          periodEnd: bounds.end === null ? null : new Date(bounds.end).toISOString(),
        };
      }),
    );
  }
}

// The CounterStore in Redis, shared by every replica: one budget and one rate limit however many
// processes serve a key. Each method is one Lua script (EVALSHA via ioredis defineCommand), so
// reserve() and hitAll() stay all-or-nothing across scopes and across replicas.
//
// Budget scopes carry their period start (`key:<id>:month:<start>`), so a new period starts from
// zero without a reset job; each scope key expires a day after its period ends. Money is kept in
// integer nano-dollars, as in the memory store, so HINCRBY is exact. Reservations are leased per id
// (see scripts.ts): settle and release are idempotent, so they can be retried until they land.
import type { Redis } from 'ioredis';
import type { CounterStore, HitResult, ReserveEntry, WindowHit } from '../counter-store.js';
import { periodBounds, type Period } from '../periods.js';
import { ADD_SPEND, HIT_ALL, RESERVE, RESERVED, SEED, SETTLE } from './scripts.js';

const NANO = 1e9;
const toNano = (usd: number): string => String(Math.round(usd * NANO));
const toUsd = (nano: string | null | undefined): number => (nano ? Number(nano) / NANO : 0);

const DAY_MS = 86_400_000;
const PERIODS = new Set<string>(['day', 'week', 'month', 'none']);

/**
 * When a budget scope's key may go: a day after its period ends (0 = never, for 'none' periods
 * and scopes not in the `<level>:<id>:<period>:<start>` shape). Parsed from the end: ids may hold ':'.
 */
export function scopeExpiresAt(scope: string): number {
  const parts = scope.split(':');
  const start = Number(parts.at(-1));
  const period = parts.at(-2);
  if (parts.length < 3 || !Number.isFinite(start) || period === undefined || !PERIODS.has(period)) return 0;
  const end = periodBounds(period as Period, start).end;
  return end === null ? 0 : end + DAY_MS;
}

interface CounterCommands {
  tgReserve(numKeys: number, ...args: string[]): Promise<number>;
  tgSettle(numKeys: number, ...args: string[]): Promise<number>;
  tgAddSpend(numKeys: number, ...args: string[]): Promise<number>;
  tgReserved(numKeys: number, ...args: string[]): Promise<number>;
  tgSeed(numKeys: number, ...args: string[]): Promise<number>;
  tgHitAll(numKeys: number, ...args: string[]): Promise<[number, number]>;
}

export interface RedisCounterStoreOptions {
  redis: Redis;
  /** Prepended to every key, e.g. `tollgate:`; lets several deployments (or test runs) share a Redis. */
  prefix: string;
  /** Wall clock for expiries: a scope whose period ended over a day ago (an injected test clock) never expires. */
  now?: () => number;
}

export function createRedisCounterStore(opts: RedisCounterStoreOptions): CounterStore {
  // EVALSHA, falling back to EVAL when Redis's script cache is empty (after a Redis restart).
  if (!('tgReserve' in opts.redis)) {
    opts.redis.defineCommand('tgReserve', { lua: RESERVE });
    opts.redis.defineCommand('tgSettle', { lua: SETTLE });
    opts.redis.defineCommand('tgAddSpend', { lua: ADD_SPEND });
    opts.redis.defineCommand('tgReserved', { lua: RESERVED });
    opts.redis.defineCommand('tgSeed', { lua: SEED });
    opts.redis.defineCommand('tgHitAll', { lua: HIT_ALL });
  }
  const redis = opts.redis as Redis & CounterCommands;
  const budgetKey = (scope: string) => `${opts.prefix}budget:${scope}`;
  const windowKey = (key: string) => `${opts.prefix}window:${key}`;
  const now = opts.now ?? Date.now;
  // PEXPIREAT in the past would delete the key at once.
  const expiry = (scope: string): string => {
    const at = scopeExpiresAt(scope);
    return String(at > now() ? at : 0);
  };
  const expiries = (entries: readonly { scope: string }[]) => entries.map((e) => expiry(e.scope));

  const leasesKey = (scope: string) => `${opts.prefix}budget:${scope}:leases`;
  const doneKey = (id: string) => `${opts.prefix}budget-done:${id}`;
  // [done, scope…, leases…], the KEYS of the reservation scripts.
  const reservationKeys = (id: string, entries: readonly { scope: string }[]) => [
    doneKey(id),
    ...entries.map((e) => budgetKey(e.scope)),
    ...entries.map((e) => leasesKey(e.scope)),
  ];
  // The amount rides in the member, so reaping an expired lease needs nothing else.
  const member = (id: string, amountUsd: number) => `${id}|${toNano(amountUsd)}`;

  const finish = async (id: string, entries: readonly { scope: string }[], amountUsd: number, actualUsd: number) => {
    if (entries.length === 0) return;
    const keys = reservationKeys(id, entries);
    await redis.tgSettle(keys.length, ...keys, member(id, amountUsd), toNano(actualUsd), ...expiries(entries));
  };

  const store: CounterStore = {
    async reserve(id, entries: readonly ReserveEntry[], leaseUntil) {
      if (entries.length === 0) return { ok: true };
      const keys = reservationKeys(id, entries);
      // One amount for all scopes (BudgetGuard reserves the same amount on every level).
      const amount = entries[0]!.amountUsd;
      const perScope = entries.flatMap((e) => [e.limitUsd === null ? '-1' : toNano(e.limitUsd), expiry(e.scope)]);
      const refused = await redis.tgReserve(
        keys.length,
        ...keys,
        String(now()),
        String(leaseUntil),
        member(id, amount),
        toNano(amount),
        ...perScope,
      );
      if (refused === -1) return { ok: false, done: true };
      return refused === 0 ? { ok: true } : { ok: false, exceeded: entries[refused - 1]!.scope };
    },
    settle: (id, entries, reservedUsd, actualUsd) => finish(id, entries, reservedUsd, actualUsd),
    release: (id, entries, amountUsd) => finish(id, entries, amountUsd, 0),
    async renew(leases, leaseUntil) {
      if (leases.length === 0) return;
      const pipeline = redis.pipeline();
      for (const l of leases) for (const e of l.entries) pipeline.zadd(leasesKey(e.scope), 'XX', leaseUntil, member(l.id, l.amountUsd));
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    },
    async addSpend(scope, usd) {
      await redis.tgAddSpend(1, budgetKey(scope), toNano(usd), expiry(scope));
    },
    async seedSpend(scope, usd) {
      return (await redis.tgSeed(1, budgetKey(scope), toNano(usd), expiry(scope))) === 1;
    },
    async spent(scope) {
      return toUsd(await redis.hget(budgetKey(scope), 's'));
    },
    async reserved(scope) {
      return Number(await redis.tgReserved(2, budgetKey(scope), leasesKey(scope), String(now()))) / NANO;
    },
    async hitAll(hits: readonly WindowHit[], now: number): Promise<HitResult> {
      if (hits.length === 0) return { ok: true };
      const args = hits.flatMap((h) => [
        String(h.windowMs),
        String(h.amount),
        h.limit === Infinity ? '-1' : String(h.limit),
        h.at === undefined ? '-1' : String(h.at),
      ]);
      const [refused, retryAfterMs] = await redis.tgHitAll(hits.length, ...hits.map((h) => windowKey(h.key)), String(now), ...args);
      return refused === 0 ? { ok: true } : { ok: false, key: hits[refused - 1]!.key, retryAfterMs };
    },
    hit(key, windowMs, amount, limit, now) {
      return store.hitAll([{ key, windowMs, amount, limit }], now);
    },
  };
  return store;
}

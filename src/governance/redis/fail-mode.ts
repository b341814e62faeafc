// What the gateway does when the shared counter store (Redis) cannot be reached. Admission
// (reserve, rate-limit hits, usage reads) fails closed by default: a 503 that says why, rather
// than letting N replicas spend without a shared budget. `redis.failOpen: true` in the config admits
// instead (nothing is counted while Redis is away; the ledger still records every cost).
// Accounting after the fact (settle, release, renew, addSpend) always rethrows: BudgetGuard retries
// settle and release until they land (they are idempotent per reservation id).
import { GatewayError } from '../../errors.js';
import type { CounterStore } from '../counter-store.js';

export interface FailModeOptions {
  failOpen: boolean;
  /** Called on every store failure (rate-limited by the caller's logger, if at all). */
  onError: (err: Error, op: string) => void;
}

export function storeUnavailable(cause: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'budget_store_unavailable',
    message: 'budget store unavailable: the shared budget and rate-limit store (Redis) cannot be reached; try again shortly',
    retryAfter: 1,
    cause,
  });
}

export function withFailMode(store: CounterStore, opts: FailModeOptions): CounterStore {
  const admit = async <T>(op: string, run: () => Promise<T>, open: T): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      opts.onError(err as Error, op);
      if (opts.failOpen) return open;
      throw storeUnavailable(err);
    }
  };
  return {
    // Fail-open admits without a reservation; the settle later adds the spend all the same.
    reserve: (id, entries, leaseUntil) => admit('reserve', () => store.reserve(id, entries, leaseUntil), { ok: true }),
    hitAll: (hits, now) => admit('rate limit', () => store.hitAll(hits, now), { ok: true }),
    hit: (key, windowMs, amount, limit, now) => admit('rate limit', () => store.hit(key, windowMs, amount, limit, now), { ok: true }),
    spent: (scope) => admit('read spend', () => store.spent(scope), 0),
    reserved: (scope) => admit('read reservations', () => store.reserved(scope), 0),
    settle: (id, entries, reservedUsd, actualUsd) => store.settle(id, entries, reservedUsd, actualUsd),
    release: (id, entries, amountUsd) => store.release(id, entries, amountUsd),
    renew: (leases, leaseUntil) => store.renew(leases, leaseUntil),
    addSpend: (scope, usd) => store.addSpend(scope, usd),
    seedSpend: (scope, usd) => store.seedSpend(scope, usd),
  };
}

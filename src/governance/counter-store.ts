// Where budget spend, reservations and rate-limit windows live. In-process (memory-counter-store.ts)
// or shared by replicas (redis/redis-counter-store.ts); BudgetGuard/RateLimiter see only this interface.
// Each method must be atomic on its own: reserve() and hitAll() are all-or-nothing across entries.
//
// Reservations carry an id and a lease. reserve, settle and release are idempotent per id, so a
// caller that did not get a reply (a timeout: the command may or may not have run) retries until
// one lands without counting twice; release of an id that was never reserved leaves a tombstone
// so a reserve still in flight cannot land after it. A reservation whose lease passes without
// renewal (its process died) is released by the next operation that touches its scope.

export interface ReserveEntry {
  /** e.g. `key:engineering-main:month:1719792000000`; includes the period start. */
  scope: string;
  /** null = no limit (the spend is still tracked, for usage reports). */
  limitUsd: number | null;
  amountUsd: number;
}

/** `done`: the id was already settled or released (a reserve that arrives after its own release). */
export type ReserveResult = { ok: true } | { ok: false; exceeded: string } | { ok: false; done: true };

export interface Lease {
  id: string;
  entries: readonly { scope: string }[];
  amountUsd: number;
}

export interface WindowHit {
  key: string;
  windowMs: number;
  /** Units to add; 0 only checks that the key is under its limit. */
  amount: number;
  /** Infinity to record without a limit. */
  limit: number;
  /**
   * Counts the amount in the bucket holding this time rather than now's, or not at all once that
   * bucket has left the window: a reservation given back where it was counted.
   */
  at?: number | undefined;
}

export type HitResult = { ok: true } | { ok: false; key: string; retryAfterMs: number };

export interface CounterStore {
  /**
   * Admits the amount on every scope or on none: ok when spent + reserved + amount <= limit for each
   * limited scope (and, for a zero amount, when something is left at all).
   */
  reserve(id: string, entries: readonly ReserveEntry[], leaseUntil: number): Promise<ReserveResult>;
  /**
   * Turns reservation `id` into spend: its amount leaves `reserved` (unless its lease already
   * expired) and spent += actualUsd, on each scope. Idempotent: a second call for the id does nothing.
   */
  settle(id: string, entries: readonly { scope: string }[], reservedUsd: number, actualUsd: number): Promise<void>;
  /** Drops reservation `id` without spending (or tombstones an id never reserved). Idempotent. */
  release(id: string, entries: readonly { scope: string }[], amountUsd: number): Promise<void>;
  /** Extends the leases of live reservations (the owning process is alive). */
  renew(leases: readonly Lease[], leaseUntil: number): Promise<void>;
  /** Spend without a reservation: costs restored at startup, or already incurred (tool costs). */
  addSpend(scope: string, usd: number): Promise<void>;
  /**
   * Startup restore from the ledger: sets the spend only if the scope does not exist yet, and says
   * whether it did. A shared store (Redis) already holds the spend other replicas counted, and adding
   * the ledger's figure again would count it twice.
   */
  seedSpend(scope: string, usd: number): Promise<boolean>;
  spent(scope: string): Promise<number>;
  reserved(scope: string): Promise<number>;
  /** Rate-limit windows, all-or-nothing across hits. */
  hitAll(hits: readonly WindowHit[], now: number): Promise<HitResult>;
  hit(key: string, windowMs: number, amount: number, limit: number, now: number): Promise<HitResult>;
}

// The in-process CounterStore. Single-threaded JS makes each method atomic as long as it never
// awaits between reading and writing, which none of them do. Reservations are kept by id with
// their lease, exactly as in Redis (see counter-store.ts), so both stores pass one contract.
import type { CounterStore, HitResult, ReserveEntry, WindowHit } from './counter-store.js';
import { SlidingWindow } from './sliding-window.js';
import { IdTable } from './id-table.js';

// Money is kept in integer nano-dollars so thousands of reserve/settle cycles leave no float dust
// (0.1 + 0.2 !== 0.3) that could make a budget look exhausted or not by a hair.
const NANO = 1e9;
const toNano = (usd: number) => Math.round(usd * NANO);
const toUsd = (nano: number) => nano / NANO;

interface Scope {
  spent: number;
  reserved: number;
}

interface Held {
  scopes: readonly string[];
  nano: number;
  until: number;
}

// Ids settled or released, so a late retry does nothing; bounded (oldest forgotten first). This
// store answers synchronously and never throws, so BudgetGuard never retries against it and never
// releases an id whose reserve is still in flight: a repeat can only be a caller's own duplicate,
// right after the first call. 10,000 ids (about 1 MB) cover that; the 100,000 kept before were
// ~11 MB of live heap once full (a minute at 2,000 requests/s), kept by V8 at 1.25x (issue 20).
const MAX_DONE = 10_000;

// Kept ids are flattened first. V8 keeps a string built by concatenation as a tree of ConsString
// nodes until something reads it by index, and Node's randomUUID() (BudgetGuard's ids) joins its
// 36 characters from 20 pieces: about 500 bytes of heap per id instead of about 80 flat. At 2,000
// requests/s the done set held ~67k such trees after 40 s, and its 100,000 ids were ~50 MB of the
// gateway's old space (issue 20, a heap snapshot under load: bench/README.md "Memory"). Reading a
// character makes V8 flatten the string in place (the tree becomes garbage).
const flat = (id: string): string => (id.charCodeAt(0) >= 0 ? id : id);
// Expired leases are looked for at most this often (the scan is over every live reservation).
const REAP_EVERY_MS = 1000;

export interface MemoryCounterStoreOptions {
  /** Wall clock for leases. */
  now?: () => number;
}

export function createMemoryCounterStore(opts: MemoryCounterStoreOptions = {}): CounterStore {
  const now = opts.now ?? Date.now;
  const scopes = new Map<string, Scope>();
  const windows = new Map<string, SlidingWindow>();
  // Tables, not a Map and a Set: each request adds and deletes an id in both (id-table.ts).
  const held = new IdTable<Held>();
  const done = new IdTable<true>(MAX_DONE);
  // The done ids in the order they came, so the oldest is found at once (when `done` was a Set,
  // `done.values().next()` had to step over every entry deleted before it, 10-18 us per settle at
  // 10,000 ids, measured alone).
  const doneOrder: string[] = [];
  let oldest = 0;
  let reapedAt = -Infinity;

  const scope = (name: string): Scope => {
    let s = scopes.get(name);
    if (!s) scopes.set(name, (s = { spent: 0, reserved: 0 }));
    return s;
  };
  const window = (hit: WindowHit): SlidingWindow => {
    let w = windows.get(hit.key);
    // A changed window length (key edited) starts a fresh window rather than mixing units.
    if (!w || w.windowMs !== hit.windowMs) windows.set(hit.key, (w = new SlidingWindow(hit.windowMs)));
    return w;
  };
  const unreserve = (scopeNames: readonly string[], nano: number) => {
    for (const name of scopeNames) {
      const s = scope(name);
      s.reserved = Math.max(0, s.reserved - nano);
    }
  };
  const reap = (force = false) => {
    const t = now();
    if (!force && t - reapedAt < REAP_EVERY_MS) return;
    reapedAt = t;
    held.forEach((h, id) => {
      if (h.until >= t) return;
      held.delete(id);
      unreserve(h.scopes, h.nano);
    });
  };
  // Only ever given ids not in `done` (finish checks), so doneOrder holds each once.
  const markDone = (id: string) => {
    const kept = flat(id);
    if (done.size >= MAX_DONE) {
      done.delete(doneOrder[oldest]!);
      doneOrder[oldest] = kept;
      oldest = (oldest + 1) % MAX_DONE;
    } else doneOrder.push(kept);
    done.set(kept, true);
  };
  const finish = (id: string, entries: readonly { scope: string }[], actualUsd: number) => {
    if (done.has(id)) return;
    markDone(id);
    const h = held.get(id);
    if (h) {
      held.delete(id);
      unreserve(h.scopes, h.nano);
    }
    for (const e of entries) scope(e.scope).spent += toNano(actualUsd);
  };

  const store: CounterStore = {
    async reserve(id, entries: readonly ReserveEntry[], leaseUntil) {
      if (done.has(id)) return { ok: false, done: true };
      if (held.has(id)) return { ok: true };
      reap();
      for (const e of entries) {
        if (e.limitUsd === null) continue;
        const s = scopes.get(e.scope) ?? { spent: 0, reserved: 0 };
        const used = s.spent + s.reserved;
        const amount = toNano(e.amountUsd);
        const limit = toNano(e.limitUsd);
        if (amount > 0 ? used + amount > limit : used >= limit) return { ok: false, exceeded: e.scope };
      }
      // One amount for all scopes (BudgetGuard reserves the same amount on every level).
      const nano = toNano(entries[0]?.amountUsd ?? 0);
      for (const e of entries) scope(e.scope).reserved += nano;
      held.set(id, { scopes: entries.map((e) => e.scope), nano, until: leaseUntil });
      return { ok: true };
    },
    async settle(id, entries, _reservedUsd, actualUsd) {
      finish(id, entries, actualUsd);
    },
    async release(id, entries) {
      finish(id, entries, 0);
    },
    async renew(leases, leaseUntil) {
      for (const l of leases) {
        const h = held.get(l.id);
        if (h) h.until = leaseUntil;
      }
    },
    async addSpend(name, usd) {
      scope(name).spent += toNano(usd);
    },
    async seedSpend(name, usd) {
      if (scopes.has(name)) return false;
      scope(name).spent = toNano(usd);
      return true;
    },
    async spent(name) {
      return toUsd(scopes.get(name)?.spent ?? 0);
    },
    async reserved(name) {
      reap(true);
      return toUsd(scopes.get(name)?.reserved ?? 0);
    },
    async hitAll(hits, now): Promise<HitResult> {
      for (const h of hits) {
        const retryAfterMs = window(h).check(h.amount, h.limit, now);
        if (retryAfterMs > 0) return { ok: false, key: h.key, retryAfterMs };
      }
      for (const h of hits) window(h).add(h.amount, now, h.at);
      return { ok: true };
    },
    hit(key, windowMs, amount, limit, now) {
      return store.hitAll([{ key, windowMs, amount, limit }], now);
    },
  };
  return store;
}

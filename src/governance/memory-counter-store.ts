// The in-process CounterStore. Single-threaded JS makes each method atomic as long as it never
// awaits between reading and writing, which none of them do.
import type { CounterStore, HitResult, ReserveEntry, WindowHit } from './counter-store.js';
import { SlidingWindow } from './sliding-window.js';

// Money is kept in integer nano-dollars so thousands of reserve/settle cycles leave no float dust
// (0.1 + 0.2 !== 0.3) that could make a budget look exhausted or not by a hair.
const NANO = 1e9;
const toNano = (usd: number) => Math.round(usd * NANO);
const toUsd = (nano: number) => nano / NANO;

interface Scope {
  spent: number;
  reserved: number;
}

export function createMemoryCounterStore(): CounterStore {
  const scopes = new Map<string, Scope>();
  const windows = new Map<string, SlidingWindow>();

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
  const addReserved = (entries: readonly { scope: string }[], nano: number) => {
    for (const e of entries) {
      const s = scope(e.scope);
      s.reserved = Math.max(0, s.reserved + nano);
    }
  };

  const store: CounterStore = {
    async reserve(entries: readonly ReserveEntry[]) {
      for (const e of entries) {
        if (e.limitUsd === null) continue;
        const s = scopes.get(e.scope) ?? { spent: 0, reserved: 0 };
        const used = s.spent + s.reserved;
        const amount = toNano(e.amountUsd);
        const limit = toNano(e.limitUsd);
        if (amount > 0 ? used + amount > limit : used >= limit) return { ok: false, exceeded: e.scope };
      }
      for (const e of entries) scope(e.scope).reserved += toNano(e.amountUsd);
      return { ok: true };
    },
    async settle(entries, reservedUsd, actualUsd) {
      addReserved(entries, -toNano(reservedUsd));
      for (const e of entries) scope(e.scope).spent += toNano(actualUsd);
    },
    async release(entries, amountUsd) {
      addReserved(entries, -toNano(amountUsd));
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
      return toUsd(scopes.get(name)?.reserved ?? 0);
    },
    async hitAll(hits, now): Promise<HitResult> {
      for (const h of hits) {
        const retryAfterMs = window(h).check(h.amount, h.limit, now);
        if (retryAfterMs > 0) return { ok: false, key: h.key, retryAfterMs };
      }
      for (const h of hits) window(h).add(h.amount, now);
      return { ok: true };
    },
    hit(key, windowMs, amount, limit, now) {
      return store.hitAll([{ key, windowMs, amount, limit }], now);
    },
  };
  return store;
}

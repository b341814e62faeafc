// Young-generation collections (scavenges) moved to moments when no request is in flight.
//
// Why (issue 20, bench/README.md "Scavenges and p99"): under sequential load a pass-through
// request allocates ~50-60 KB, so with npm start's 8 MB semi-space one request in ~100-140 meets a
// scavenge, which stops the event loop for 1.5-2 ms on this 2-core machine (several ms when it is
// loaded): that is the p99 of the pass-through surfaces. V8 collects when the new space is full
// (allocation failure) or from a task it posts at 80% (--minor-gc-task-trigger): either way
// inside whatever request is being served. Here, once the last request in flight has ended and the
// new space is about to fill, the scavenge V8 was about to run is made to run now, while nobody
// waits for it. Under steady concurrent load nothing is ever idle, so this never runs and V8
// collects as before.
import { getHeapSpaceStatistics } from 'node:v8';

// Holds the filler's last chunk only while it is being allocated (a store to the heap, so the
// compiler cannot drop the allocation as unused).
const held: { chunk: unknown } = { chunk: undefined };
// Collections run by any IdleGc of this process (the tollgate_gc_idle_scavenges gauge).
let idleTotal = 0;

/** Young-generation collections run at idle so far, process-wide. */
export const idleScavenges = (): number => idleTotal;

/**
 * Runs V8's own scavenge now: allocates short-lived garbage until the new space is full, in 16 KB
 * chunks (so at most one chunk is alive to copy), a little past what it reports as available.
 * Not gc() (--expose-gc): a forced collection kept V8 from growing the new space (runs of
 * bench/scavenges.ts: 20-24 scavenges freeing 3 MB each, against 13-16 freeing 4.4-7.1 MB).
 */
export function fillNewSpace(available: number): void {
  for (let left = available + 32 * 1024; left > 0; left -= 16 * 1024) held.chunk = new Array(2046);
  held.chunk = undefined;
}

export interface NewSpace {
  used: number;
  size: number;
}

export function newSpaceUsage(): NewSpace {
  // space_size counts both semi-spaces; what can be allocated before a scavenge is used + available.
  for (const s of getHeapSpaceStatistics())
    if (s.space_name === 'new_space') return { used: s.space_used_size, size: s.space_used_size + s.space_available_size };
  return { used: 0, size: 0 };
}

export interface IdleGcOptions {
  /** Requests in flight now (the server's count); nothing is collected unless it is 0. */
  inflight: () => number;
  /** Makes V8 scavenge now, given the bytes left in the new space (default fillNewSpace). */
  collect?: (available: number) => void;
  usage?: () => NewSpace;
  /**
   * Collect once the new space would be this full before the next check (judged by what was
   * allocated since the last one). With V8's task at 80% and its allocation failures at 100%,
   * bench/scavenges.ts (2,000 requests per gateway) had 1 of 18 scavenges inside a request at 0.9
   * and 16-17 of 16-17 without this; 0.85 left 0-1 of 15-25 inside but made 10-55% more of them.
   */
  trigger?: number;
  /** Look at the heap on one idle moment in this many (each look costs a few µs). */
  every?: number;
  /** Runs the check after the current I/O callbacks (default setImmediate). */
  defer?: (run: () => void) => void;
}

export interface IdleGc {
  /** Call when the last request in flight has ended. */
  idle(): void;
  /** Collections run so far. */
  collections(): number;
}

export function createIdleGc(opts: IdleGcOptions): IdleGc {
  const collect = opts.collect ?? fillNewSpace;
  const usage = opts.usage ?? newSpaceUsage;
  const trigger = opts.trigger ?? 0.9;
  const every = opts.every ?? 2;
  const defer = opts.defer ?? ((run: () => void) => void setImmediate(run));
  let seen = 0;
  let scheduled = false;
  let collections = 0;
  let lastUsed = 0;
  let step = 0;

  const check = (): void => {
    scheduled = false;
    // A request that arrived since (same loop turn) would wait for the collection: leave it to V8.
    if (opts.inflight() > 0) return;
    const { used, size } = usage();
    // What the last `every` idle moments allocated (unknown across a collection: keep the last).
    if (used > lastUsed) step = used - lastUsed;
    lastUsed = used;
    if (size > 0 && used >= size / 2 && used + step >= size * trigger) {
      collect(size - used);
      collections++;
      idleTotal++;
      lastUsed = usage().used;
    }
  };

  return {
    idle() {
      if (scheduled || ++seen % every !== 0) return;
      scheduled = true;
      defer(check);
    },
    collections: () => collections,
  };
}

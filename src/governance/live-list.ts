// The objects in flight of a long-lived owner (the budget guard's live reservations, the retry
// queue's pending operations): a doubly linked list through fields of the objects themselves.
//
// Why not a Set or Map: each request added one and removed it a millisecond later, and a V8 Map or
// Set that goes from one entry back to none reallocates its hash table (a table at its smallest
// is shrunk to a new one of the same size), and a long-lived one allocates its tables in the old
// space: ~150 B of old-space garbage per add and delete, which only a mark-compact collects
// (bench/pass-through-heap.ts --promoted; issue 20, "Messages SSE p99"). Linking allocates nothing.

/**
 * The fields a LiveList links an entry by; an entry is in at most one list at a time. Written in
 * each entry's literal (`livePrev: undefined, liveNext: undefined, listed: false`), not spread
 * into it: on Node 20 a literal with a spread gets a map of its own per object.
 */
export interface LiveEntry {
  livePrev: LiveEntry | undefined;
  liveNext: LiveEntry | undefined;
  /** Whether the entry is in a list now (remove is then a no-op for one that is not). */
  listed: boolean;
}

export class LiveList<T extends LiveEntry> {
  private head: T | undefined;
  size = 0;

  add(entry: T): void {
    if (entry.listed) return;
    entry.listed = true;
    entry.livePrev = undefined;
    entry.liveNext = this.head;
    if (this.head) this.head.livePrev = entry;
    this.head = entry;
    this.size++;
  }

  /** Takes `entry` out; false when it was not in the list. */
  remove(entry: T): boolean {
    if (!entry.listed) return false;
    entry.listed = false;
    const prev = entry.livePrev as T | undefined;
    const next = entry.liveNext as T | undefined;
    if (prev) prev.liveNext = next;
    else this.head = next;
    if (next) next.livePrev = prev;
    entry.livePrev = undefined;
    entry.liveNext = undefined;
    this.size--;
    return true;
  }

  /** The entries, newest first (a copy: the list may change while the caller uses it). */
  values(): T[] {
    const out: T[] = [];
    for (let e = this.head; e; e = e.liveNext as T | undefined) out.push(e);
    return out;
  }

  /** Empties the list. */
  clear(): void {
    for (const e of this.values()) this.remove(e);
  }
}

// A table from string ids to values for the in-memory counter store's reservations (held, and the
// ids already settled): open addressing with linear probing in two plain arrays, and deletion by
// shifting the entries after it back (no tombstones, so nothing ever needs rebuilding). It grows
// (doubles) when half full and never shrinks.
//
// Why not a Map or Set: a request adds its reservation and deletes it a millisecond later, and a
// V8 Map that goes from one entry back to none reallocates its hash table (one at its smallest is
// shrunk to a new one of the same size); a long-lived Map allocates its tables in the old space, so
// each request left ~150 B of old-space garbage there, and the Set of 10,000 done ids a new
// ~300 KB table every ~6,000 requests; only mark-compacts collect them (issue 20, p99). Here an
// add or delete writes array slots and allocates nothing.

const MIN_CAPACITY = 16;

/** FNV-1a over the id's UTF-16 code units (any string works; reservation ids are UUIDs). */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class IdTable<V> {
  private keys: (string | undefined)[];
  private values: (V | undefined)[];
  private mask: number;
  size = 0;

  /** `expected`: how many ids it will hold at most, usually (it grows past that if need be). */
  constructor(expected = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  /** The slot holding `id`, or the empty slot where its probe ends. */
  private slotOf(id: string): number {
    const keys = this.keys;
    let i = hashOf(id) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === undefined || k === id) return i;
      i = (i + 1) & this.mask;
    }
  }

  has(id: string): boolean {
    return this.keys[this.slotOf(id)] !== undefined;
  }

  get(id: string): V | undefined {
    return this.values[this.slotOf(id)];
  }

  set(id: string, value: V): void {
    let i = this.slotOf(id);
    if (this.keys[i] === undefined) {
      if ((this.size + 1) * 2 > this.keys.length) {
        this.grow();
        i = this.slotOf(id);
      }
      this.keys[i] = id;
      this.size++;
    }
    this.values[i] = value;
  }

  /** Removes `id`; false when it was not there. */
  delete(id: string): boolean {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let hole = this.slotOf(id);
    if (keys[hole] === undefined) return false;
    this.size--;
    // Knuth's algorithm R: every entry of the run after the hole whose probe passes the hole
    // moves into it, so each remaining id is still found by probing from its home slot.
    for (let i = (hole + 1) & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) break;
      const home = hashOf(k) & mask;
      // Stays if its home lies cyclically in (hole, i].
      if (hole <= i ? hole < home && home <= i : hole < home || home <= i) continue;
      keys[hole] = k;
      values[hole] = values[i];
      hole = i;
    }
    keys[hole] = undefined;
    values[hole] = undefined;
    return true;
  }

  /**
   * Calls `fn` for every entry. `fn` may delete the entry it is given: the walk then looks at that
   * slot again, so it misses none, though an entry of a run that wraps past the table's end may be
   * given twice (the counter store's reap, the one caller, skips it the second time as the first).
   */
  forEach(fn: (value: V, id: string) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      let k = keys[i];
      // After a delete, the slot may hold an entry shifted back into it: visit that one too.
      while (k !== undefined) {
        fn(this.values[i] as V, k);
        if (keys[i] === k) break;
        k = keys[i];
      }
    }
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Array<string | undefined>(keys.length * 2).fill(undefined);
    this.values = new Array<V | undefined>(keys.length * 2).fill(undefined);
    this.mask = keys.length * 2 - 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k === undefined) continue;
      const j = this.slotOf(k);
      this.keys[j] = k;
      this.values[j] = values[i];
    }
  }
}

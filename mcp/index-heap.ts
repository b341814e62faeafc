// A binary min-heap whose items know their place (`index`, -1 when out), so that any item can be
// removed, or moved after its key changed, in O(log n). fair-queue.ts keeps two kinds: the tenants
// with calls waiting, and each tenant's waiting calls.

export interface Placed {
  /** Place in the heap; -1 once out of it. */
  index: number;
}

export class IndexHeap<T extends Placed> {
  readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The first item, or undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.index = this.items.length;
    this.items.push(item);
    this.up(item.index);
  }

  remove(item: T): void {
    const i = item.index;
    if (i < 0) return;
    item.index = -1;
    const last = this.items.pop()!;
    if (last === item) return;
    this.items[i] = last;
    last.index = i;
    this.up(i);
    this.down(last.index);
  }

  /** After `item`'s key grew: moves it down to its place. */
  later(item: T): void {
    if (item.index >= 0) this.down(item.index);
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(item, items[parent]!)) break;
      items[i] = items[parent]!;
      items[i]!.index = i;
      i = parent;
    }
    items[i] = item;
    item.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const item = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.before(items[right]!, items[left]!) ? right : left;
      if (!this.before(items[child]!, item)) break;
      items[i] = items[child]!;
      items[i]!.index = i;
      i = child;
    }
    items[i] = item;
    item.index = i;
  }
}

// The calls one MCP server may run at once (mcpServers.<name>.maxCallsInFlight), and the calls
// waiting for a turn, served fairly across keys. Many MCP servers run one call (or a few) at a
// time; sent in arrival order, one key's burst of slow calls made every other key's call wait
// behind all of it (README, Guarantees: Isolation).
//
// Start-time fair queuing with every call costing one (Goyal et al., 1996): a call is tagged with
// its key's next round, max(the key's previous tag + 1, the round being served now), and the
// lowest tag goes next (ties: arrival order). A key that starts calling joins the round being
// served, so it goes ahead of every queued call of keys already in it: another key waits for the
// calls running and at most one queued call per other key, however many those keys queued. A key
// that stops calling is forgotten once its last tag is behind the round being served (nothing to
// remember), and all keys when the server is idle, so the map holds only keys active now.
//
// Pure: no timers, no I/O; the caller's AbortSignal is the only way out of the queue.

interface Turn {
  readonly key: string;
  readonly tag: number;
  /** Arrival order, for ties. */
  readonly seq: number;
  /** Place in the heap; -1 once out of it. */
  index: number;
  readonly signal: AbortSignal;
  readonly resolve: (granted: boolean) => void;
  readonly onAbort: () => void;
}

interface KeyState {
  /** The tag of the key's latest call. */
  last: number;
  /** Its calls queued or holding a slot. */
  live: number;
}

const before = (a: Turn, b: Turn) => a.tag < b.tag || (a.tag === b.tag && a.seq < b.seq);

export class FairQueue {
  private running = 0;
  /** The round being served: the highest tag let through. */
  private round = 0;
  private seq = 0;
  private readonly keys = new Map<string, KeyState>();
  /** Waiting turns, a binary heap on (tag, seq). */
  private readonly heap: Turn[] = [];

  constructor(readonly limit: number) {}

  /** Calls waiting for a turn. */
  get waiting(): number {
    return this.heap.length;
  }

  /** Slots taken (calls running, and slots held after a cancel: upstream-call.ts). */
  get taken(): number {
    return this.running;
  }

  /**
   * A slot for one call of `key`: true at once when one is free and nobody waits; else a promise of
   * true when the call's turn comes, or of false when `signal` aborts first (the call has left the
   * queue, holding nothing). Every true is paired with one release(key).
   */
  acquire(key: string, signal: AbortSignal): boolean | Promise<boolean> {
    if (signal.aborted) return false;
    let state = this.keys.get(key);
    const tag = state === undefined ? this.round : Math.max(state.last + 1, this.round);
    if (state === undefined) this.keys.set(key, (state = { last: tag, live: 1 }));
    else {
      state.last = tag;
      state.live++;
    }
    if (this.running < this.limit && this.heap.length === 0) {
      this.running++;
      if (tag > this.round) this.round = tag;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const turn: Turn = {
        key,
        tag,
        seq: this.seq++,
        index: -1,
        signal,
        resolve,
        onAbort: () => {
          this.remove(turn);
          this.forget(key);
          this.idle();
          resolve(false);
        },
      };
      signal.addEventListener('abort', turn.onAbort, { once: true });
      this.push(turn);
    });
  }

  /** Gives a slot back; the next turn, if any, takes it. */
  release(key: string): void {
    this.running--;
    this.forget(key);
    while (this.running < this.limit && this.heap.length > 0) {
      const turn = this.heap[0]!;
      this.remove(turn);
      turn.signal.removeEventListener('abort', turn.onAbort);
      this.running++;
      if (turn.tag > this.round) this.round = turn.tag;
      turn.resolve(true);
    }
    this.idle();
  }

  private forget(key: string): void {
    const state = this.keys.get(key);
    if (state !== undefined && --state.live === 0 && state.last < this.round) this.keys.delete(key);
  }

  /** An idle server: no key's past matters any more. */
  private idle(): void {
    if (this.running === 0 && this.heap.length === 0) this.keys.clear();
  }

  private push(turn: Turn): void {
    turn.index = this.heap.length;
    this.heap.push(turn);
    this.up(turn.index);
  }

  private remove(turn: Turn): void {
    const i = turn.index;
    if (i < 0) return;
    turn.index = -1;
    const last = this.heap.pop()!;
    if (last === turn) return;
    this.heap[i] = last;
    last.index = i;
    this.up(i);
    this.down(last.index);
  }

  private up(i: number): void {
    const heap = this.heap;
    const turn = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(turn, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      heap[i]!.index = i;
      i = parent;
    }
    heap[i] = turn;
    turn.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const turn = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, turn)) break;
      heap[i] = heap[child]!;
      heap[i]!.index = i;
      i = child;
    }
    heap[i] = turn;
    turn.index = i;
  }
}

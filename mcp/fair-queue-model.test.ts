// FairQueue against a plain model of the same rules, over random calls, cancels and releases across
// teams, keys of several teams and keys without one: the same calls must get their slot in the same
// order. The model keeps everything in maps and arrays and scans them, and forgets a tenant only as
// the rules say (its last call gone while it is behind the round being served: its keys' past goes
// with it; everything when the server is idle), so a fault of the queue's heaps, its tenants'
// turns, its inline first key or its forgetting shows up as a different order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { FairQueue } from './fair-queue.js';

interface Waiting {
  id: number;
  tenant: string;
  key: string;
  keyTag: number;
  seq: number;
}

const tenantOf = (key: string, team: string | null) => (team === null ? `solo:${key}` : `team:${team}`);

class Model {
  running = 0;
  round = 0;
  seq = 0;
  readonly last = new Map<string, number>();
  /** Per tenant: its calls queued or holding a slot. */
  readonly live = new Map<string, number>();
  /** Per tenant: its key rounds (the highest key tag let through) and its keys' last tags. */
  readonly inner = new Map<string, { round: number; last: Map<string, number> }>();
  /** Per tenant: the tags and seqs of its turns, ascending. */
  readonly turns = new Map<string, { tag: number; seq: number }[]>();
  waiting: Waiting[] = [];

  constructor(readonly limit: number) {}

  /** True: granted at once; else queued. */
  acquire(id: number, key: string, team: string | null): boolean {
    const tenant = tenantOf(key, team);
    this.live.set(tenant, (this.live.get(tenant) ?? 0) + 1);
    const tag = Math.max((this.last.get(tenant) ?? -Infinity) + 1, this.round);
    this.last.set(tenant, tag);
    const inner = this.inner.get(tenant) ?? { round: 0, last: new Map() };
    this.inner.set(tenant, inner);
    const keyTag = Math.max((inner.last.get(key) ?? -Infinity) + 1, inner.round);
    inner.last.set(key, keyTag);
    if (this.running < this.limit && this.waiting.length === 0) {
      this.running++;
      this.round = Math.max(this.round, tag);
      inner.round = Math.max(inner.round, keyTag);
      return true;
    }
    const seq = this.seq++;
    this.waiting.push({ id, tenant, key, keyTag, seq });
    const turns = this.turns.get(tenant) ?? [];
    turns.push({ tag, seq });
    this.turns.set(tenant, turns);
    return false;
  }

  cancel(id: number): void {
    const call = this.waiting.find((w) => w.id === id)!;
    const rank = this.waiting.filter((w) => w.tenant === call.tenant && w.seq < call.seq).length;
    this.waiting = this.waiting.filter((w) => w !== call);
    this.turns.get(call.tenant)!.splice(rank, 1);
    this.leave(call.tenant);
    this.idle();
  }

  /** The ids granted by one release, in order. */
  release(key: string, team: string | null): number[] {
    this.running--;
    this.leave(tenantOf(key, team));
    const granted: number[] = [];
    while (this.running < this.limit && this.waiting.length > 0) {
      let best: string | undefined;
      for (const [tenant, turns] of this.turns) {
        const first = turns[0];
        const other = best === undefined ? undefined : this.turns.get(best)![0]!;
        if (first && (!other || first.tag < other.tag || (first.tag === other.tag && first.seq < other.seq))) best = tenant;
      }
      const { tag } = this.turns.get(best!)!.shift()!;
      const mine = this.waiting.filter((w) => w.tenant === best);
      const next = mine.reduce((a, b) => (b.keyTag < a.keyTag || (b.keyTag === a.keyTag && b.seq < a.seq) ? b : a));
      this.waiting = this.waiting.filter((w) => w !== next);
      this.running++;
      this.round = Math.max(this.round, tag);
      const inner = this.inner.get(best!)!;
      inner.round = Math.max(inner.round, next.keyTag);
      granted.push(next.id);
    }
    this.idle();
    return granted;
  }

  private leave(tenant: string): void {
    const live = this.live.get(tenant)! - 1;
    this.live.set(tenant, live);
    if (live === 0 && this.last.get(tenant)! < this.round) this.inner.delete(tenant);
  }

  private idle(): void {
    if (this.running > 0 || this.waiting.length > 0) return;
    this.last.clear();
    this.inner.clear();
    this.turns.clear();
  }
}

test('random calls, cancels and releases: FairQueue grants in the order of the plain model', async () => {
  // mulberry32: a fixed sequence, so that a failure repeats.
  let seed = 11;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  for (const limit of [1, 2, 3]) {
    const q = new FairQueue(limit);
    const model = new Model(limit);
    const running: { id: number; key: string; team: string | null }[] = [];
    const waiting = new Map<number, { ctl: AbortController; key: string; team: string | null }>();
    let granted: number[] = [];
    let id = 0;
    for (let step = 0; step < 3_000; step++) {
      const op = random(10);
      if (op < 5) {
        const team = random(4) === 0 ? null : `t${random(3)}`;
        const call = { id: id++, key: `k${random(8)}`, team };
        const ctl = new AbortController();
        const turn = q.acquire(call.key, ctl.signal, team);
        assert.equal(turn === true, model.acquire(call.id, call.key, team), `step ${step}: granted at once`);
        if (turn === true) running.push(call);
        else {
          waiting.set(call.id, { ctl, ...call });
          void (turn as Promise<boolean>).then((ok) => {
            if (!ok) return;
            granted.push(call.id);
            running.push(call);
          });
        }
      } else if (op < 7 && waiting.size > 0) {
        const [wid, w] = [...waiting][random(waiting.size)]!;
        waiting.delete(wid);
        w.ctl.abort();
        model.cancel(wid);
      } else if (running.length > 0) {
        const done = running.splice(random(running.length), 1)[0]!;
        q.release(done.key, done.team);
        const expected = model.release(done.key, done.team);
        for (const g of expected) waiting.delete(g);
        await tick();
        assert.deepEqual(granted, expected, `step ${step}: the calls that got the slots, limit ${limit}`);
        granted = [];
      }
      assert.equal(q.waiting, model.waiting.length);
    }
  }
});

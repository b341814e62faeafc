// The calls one MCP server may run at once (mcpServers.<name>.maxCallsInFlight), and the calls
// waiting for a turn, served fairly across tenants and, within a tenant, across its keys. A tenant
// is a team, or a key without a team. Many MCP servers run one call (or a few) at a time; sent in
// arrival order, one key's burst of slow calls made every other key's call wait behind all of it,
// and fair across keys alone, a team with twenty keys took twenty turns to another team's one
// (README, Guarantees: Isolation).
//
// Hierarchical start-time fair queuing with every call costing one (Goyal et al., 1996), at two
// levels. A call is tagged, at arrival, with its tenant's next round, max(the tenant's previous
// tag + 1, the round being served now), and with its key's next round within the tenant, the same
// rule on the tenant's own rounds. The tenant holding the lowest tag goes next (ties: arrival
// order), and sends its call with the lowest key tag: the tenant's tags are its turns, its keys
// take turns at filling them. A tenant that starts calling joins the round being served, so it
// goes ahead of every queued call of tenants already in it: another tenant waits for the calls
// running and at most one queued call per other tenant, however many keys and calls those have.
// A call that leaves the queue unserved gives up the turn of its rank among its tenant's waiting
// calls (for a tenant of one key: its own). A tenant or key that stops calling is forgotten once
// its last tag is behind the round being served (nothing to remember; a tenant takes its keys'
// rounds with it), and all when the server is idle, so the maps hold only those active now.
//
// Pure: no timers, no I/O; the caller's AbortSignal is the only way out of the queue.
import { IndexHeap, type Placed } from './index-heap.js';

interface Turn extends Placed {
  readonly tenant: Tenant;
  readonly key: string;
  /** The key's round within its tenant (0 for a key without a team: its calls go in arrival order). */
  readonly tag: number;
  /** Arrival order, for ties. */
  readonly seq: number;
  readonly signal: AbortSignal;
  readonly resolve: (granted: boolean) => void;
  readonly onAbort: () => void;
}

interface KeyState {
  /** The tag of the key's latest call, in its tenant's rounds. */
  last: number;
  /** Its calls queued or holding a slot. */
  live: number;
}

const turnBefore = (a: Turn, b: Turn) => a.tag < b.tag || (a.tag === b.tag && a.seq < b.seq);

class Tenant implements Placed {
  index = -1;
  /** Its calls queued or holding a slot. */
  live = 0;
  /** Within a team: the highest key tag let through. */
  round = 0;
  /**
   * A team's keys active now: the first inline (id, tag, calls), so that a team calling from one
   * key at a time costs no more than a key without a team; the others in `keys` (from the second).
   */
  key: string | undefined;
  keyLast = 0;
  keyLive = 0;
  keys: Map<string, KeyState> | undefined;
  /** Its waiting calls (from its first wait on). */
  waiting: IndexHeap<Turn> | undefined;
  /**
   * The tags (and arrival seqs) its waiting calls were given, ascending: its turns. Whichever of
   * its calls goes next takes the first.
   */
  tags: number[] | undefined;
  seqs: number[] | undefined;

  constructor(
    readonly id: string,
    readonly team: boolean,
    /** The tag of its latest call. */
    public last: number,
  ) {}
}

const tenantBefore = (a: Tenant, b: Tenant) => a.tags![0]! < b.tags![0]! || (a.tags![0] === b.tags![0] && a.seqs![0]! < b.seqs![0]!);

export class FairQueue {
  private running = 0;
  /** The round being served: the highest tenant tag let through. */
  private round = 0;
  private seq = 0;
  private count = 0;
  private readonly teams = new Map<string, Tenant>();
  /** Keys without a team, each its own tenant. */
  private readonly solos = new Map<string, Tenant>();
  /** Tenants with calls waiting, by their first turn. */
  private readonly queue = new IndexHeap<Tenant>(tenantBefore);

  constructor(readonly limit: number) {}

  /** Calls waiting for a turn. */
  get waiting(): number {
    return this.count;
  }

  /** Slots taken (calls running, and slots held after a cancel: upstream-call.ts). */
  get taken(): number {
    return this.running;
  }

  /**
   * A slot for one call of `key` (of `team`; null: the key has none): true at once when one is free
   * and nobody waits; else a promise of true when the call's turn comes, or of false when `signal`
   * aborts first (the call has left the queue, holding nothing). Every true is paired with one
   * release(key, team).
   */
  acquire(key: string, signal: AbortSignal, team: string | null = null): boolean | Promise<boolean> {
    if (signal.aborted) return false;
    const tenant = this.tenantOf(key, team);
    const tag = Math.max(tenant.last + 1, this.round);
    tenant.last = tag;
    tenant.live++;
    const inner = tenant.team ? keyTag(tenant, key) : 0;
    if (this.running < this.limit && this.count === 0) {
      this.running++;
      if (tag > this.round) this.round = tag;
      if (inner > tenant.round) tenant.round = inner;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const turn: Turn = {
        tenant,
        key,
        tag: inner,
        seq: this.seq++,
        index: -1,
        signal,
        resolve,
        onAbort: () => {
          this.remove(turn, false);
          this.leave(tenant, key);
          this.idle();
          resolve(false);
        },
      };
      signal.addEventListener('abort', turn.onAbort, { once: true });
      this.count++;
      (tenant.waiting ??= new IndexHeap<Turn>(turnBefore)).push(turn);
      (tenant.tags ??= []).push(tag);
      (tenant.seqs ??= []).push(turn.seq);
      if (tenant.index < 0) this.queue.push(tenant);
    });
  }

  /** Gives a slot back; the next turn, if any, takes it. */
  release(key: string, team: string | null = null): void {
    this.running--;
    const tenant = (team === null ? this.solos : this.teams).get(team ?? key);
    if (tenant !== undefined) this.leave(tenant, key);
    for (let next = this.queue.peek(); next !== undefined && this.running < this.limit; next = this.queue.peek()) {
      const turn = next.waiting!.peek()!;
      const tag = next.tags![0]!;
      this.remove(turn, true);
      turn.signal.removeEventListener('abort', turn.onAbort);
      this.running++;
      if (tag > this.round) this.round = tag;
      if (turn.tag > next.round) next.round = turn.tag;
      turn.resolve(true);
    }
    this.idle();
  }

  private tenantOf(key: string, team: string | null): Tenant {
    const map = team === null ? this.solos : this.teams;
    const id = team ?? key;
    let tenant = map.get(id);
    if (tenant === undefined) map.set(id, (tenant = new Tenant(id, team !== null, this.round - 1)));
    return tenant;
  }

  /**
   * Takes a waiting turn out: granted, it uses its tenant's first turn; cancelled, the turn of its
   * rank among the tenant's waiting calls (both: the same one, the first waiting call taking the
   * first turn, whenever its key's tag puts it first).
   */
  private remove(turn: Turn, granted: boolean): void {
    if (turn.index < 0) return;
    const tenant = turn.tenant;
    const waiting = tenant.waiting!;
    waiting.remove(turn);
    this.count--;
    let rank = 0;
    if (!granted) for (const other of waiting.items) if (other.seq < turn.seq) rank++;
    if (waiting.size === 0) this.queue.remove(tenant);
    tenant.tags!.splice(rank, 1);
    tenant.seqs!.splice(rank, 1);
    if (rank === 0 && tenant.index >= 0) this.queue.later(tenant);
  }

  /** One call of `key` in `tenant` done or gone: forgets what no longer matters. */
  private leave(tenant: Tenant, key: string): void {
    if (tenant.key === key) {
      if (--tenant.keyLive === 0 && tenant.keyLast < tenant.round) tenant.key = undefined;
    } else {
      const state = tenant.keys?.get(key);
      if (state !== undefined && --state.live === 0 && state.last < tenant.round) tenant.keys!.delete(key);
    }
    if (--tenant.live === 0 && tenant.last < this.round) (tenant.team ? this.teams : this.solos).delete(tenant.id);
  }

  /** An idle server: no tenant's past matters any more. */
  private idle(): void {
    if (this.running !== 0 || this.count !== 0) return;
    if (this.teams.size > 0) this.teams.clear();
    if (this.solos.size > 0) this.solos.clear();
  }
}

/** The tag of `key`'s next call within its team `tenant`. */
function keyTag(tenant: Tenant, key: string): number {
  let state = tenant.key === key ? undefined : tenant.keys?.get(key);
  if (tenant.key !== key && state === undefined) {
    if (tenant.key === undefined) {
      tenant.key = key;
      tenant.keyLast = tenant.round - 1;
      tenant.keyLive = 0;
    } else (tenant.keys ??= new Map()).set(key, (state = { last: tenant.round - 1, live: 0 }));
  }
  if (state === undefined) {
    tenant.keyLast = Math.max(tenant.keyLast + 1, tenant.round);
    tenant.keyLive++;
    return tenant.keyLast;
  }
  state.last = Math.max(state.last + 1, tenant.round);
  state.live++;
  return state.last;
}

// The open /mcp sessions (Streamable HTTP sessions of 2025 clients, and HTTP+SSE sessions): bounded
// in number overall, per virtual key and per team, bound to the key that opened them, and closed when idle
// too long or open too long — whatever their kind — so clients that vanish without DELETE, and
// streams held open forever, do not pin servers and memory.
export interface McpSession {
  /** Assigned by the transport (Streamable HTTP does so while handling initialize). */
  id: string;
  readonly kind: 'streamable' | 'sse';
  /** The virtual key that opened the session (null when keys are not required). */
  readonly keyId: string | null;
  /** The team of that key when the session opened (its share goes back to that team). */
  readonly teamId?: string | null | undefined;
  /** Epoch ms when the session opened. */
  readonly openedAt: number;
  /** Epoch ms of the last HTTP request on this session. */
  lastSeen: number;
  /** Ends the session: closes its transport and MCP server. */
  close(): Promise<void>;
}

export interface SessionLimits {
  maxSessions: number;
  maxSessionsPerKey: number;
  /** All the keys of one team together; undefined: teams are not bounded beyond their keys. */
  maxSessionsPerTeam?: number | undefined;
  /** Sessions without a request for this long are closed (the client gets 404 and starts afresh). */
  idleTimeoutMs: number;
  /** Sessions are closed this long after they opened, however busy. */
  maxLifetimeMs: number;
}

export interface SessionStoreOptions extends SessionLimits {
  now: () => number;
  /** How often expired sessions are looked for (default: a tenth of the shorter limit, 1–60 s). */
  sweepEveryMs?: number;
}

/** Why a new session cannot open: the gateway is full, or this key or its team holds its share. */
export type ReserveRefusal = 'gateway' | 'key' | 'team';

const keyOf = (keyId: string | null) => keyId ?? '';

export class SessionStore<S extends McpSession = McpSession> {
  private readonly sessions = new Map<string, S>();
  /** Open plus reserved sessions per key. */
  private readonly perKey = new Map<string, number>();
  /** Open plus reserved sessions per team (keys without a team are bounded by their own share only). */
  private readonly perTeam = new Map<string, number>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** Sessions being set up (an initialize request in flight) count against the bounds too. */
  private pending = 0;

  constructor(private readonly opts: SessionStoreOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Open sessions of one key. */
  countFor(keyId: string | null): number {
    return this.perKey.get(keyOf(keyId)) ?? 0;
  }

  /** Open sessions of one team's keys together. */
  countForTeam(teamId: string): number {
    return this.perTeam.get(teamId) ?? 0;
  }

  get(id: string): S | undefined {
    return this.sessions.get(id);
  }

  /** Reserves room for one new session of `keyId` (of team `teamId`). Pair with add() or unreserve(). */
  reserve(keyId: string | null, teamId: string | null = null): ReserveRefusal | null {
    if (this.sessions.size + this.pending >= this.opts.maxSessions) return 'gateway';
    if (this.countFor(keyId) >= this.opts.maxSessionsPerKey) return 'key';
    const teamBound = this.opts.maxSessionsPerTeam;
    if (teamId !== null && teamBound !== undefined && this.countForTeam(teamId) >= teamBound) return 'team';
    this.pending++;
    this.perKey.set(keyOf(keyId), this.countFor(keyId) + 1);
    if (teamId !== null) this.perTeam.set(teamId, this.countForTeam(teamId) + 1);
    return null;
  }

  /**
   * Room for a 2026-07-28 listen stream of team `teamId` while it lives: it counts against the
   * team's share and the gateway's total like a session (so a team's keys cannot fill either with
   * streams), but not against its key's share, which the SDK bounds for listen streams apart.
   * Pair with unreserveListen().
   */
  reserveListen(teamId: string | null): ReserveRefusal | null {
    if (this.sessions.size + this.pending >= this.opts.maxSessions) return 'gateway';
    const teamBound = this.opts.maxSessionsPerTeam;
    if (teamId !== null && teamBound !== undefined && this.countForTeam(teamId) >= teamBound) return 'team';
    this.pending++;
    if (teamId !== null) this.perTeam.set(teamId, this.countForTeam(teamId) + 1);
    return null;
  }

  unreserveListen(teamId: string | null): void {
    this.pending = Math.max(0, this.pending - 1);
    if (teamId === null) return;
    const t = this.countForTeam(teamId) - 1;
    if (t > 0) this.perTeam.set(teamId, t);
    else this.perTeam.delete(teamId);
  }

  unreserve(keyId: string | null, teamId: string | null = null): void {
    this.pending = Math.max(0, this.pending - 1);
    this.release(keyId, teamId);
  }

  /** Adds a session that reserve() made room for. */
  add(session: S): void {
    this.pending = Math.max(0, this.pending - 1);
    this.sessions.set(session.id, session);
    this.startSweeper();
  }

  delete(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.release(session.keyId, session.teamId ?? null);
    if (this.sessions.size === 0) this.stopSweeper();
  }

  /** Closes sessions idle longer than the idle timeout or older than the lifetime; returns their ids. */
  sweep(): string[] {
    const now = this.opts.now();
    const expired = [...this.sessions.values()].filter(
      (s) => now - s.lastSeen > this.opts.idleTimeoutMs || now - s.openedAt > this.opts.maxLifetimeMs,
    );
    for (const s of expired) {
      this.delete(s.id);
      void s.close().catch(() => undefined);
    }
    return expired.map((s) => s.id);
  }

  async closeAll(): Promise<void> {
    this.stopSweeper();
    const all = [...this.sessions.values()];
    for (const s of all) this.delete(s.id);
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }

  private release(keyId: string | null, teamId: string | null): void {
    const n = this.countFor(keyId) - 1;
    if (n > 0) this.perKey.set(keyOf(keyId), n);
    else this.perKey.delete(keyOf(keyId));
    if (teamId === null) return;
    const t = this.countForTeam(teamId) - 1;
    if (t > 0) this.perTeam.set(teamId, t);
    else this.perTeam.delete(teamId);
  }

  // The timer only runs while sessions exist, and never keeps the process alive on its own.
  private startSweeper(): void {
    if (this.sweeper) return;
    const shorter = Math.min(this.opts.idleTimeoutMs, this.opts.maxLifetimeMs);
    const every = this.opts.sweepEveryMs ?? Math.min(60_000, Math.max(1_000, Math.floor(shorter / 10)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref?.();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

// The open /mcp sessions: bounded in number, bound to the virtual key that opened them, and
// closed after an idle period so clients that vanish without DELETE do not leak servers.
export interface McpSession {
  /** Assigned by the transport (Streamable HTTP does so while handling initialize). */
  id: string;
  readonly kind: 'streamable' | 'sse';
  /** The virtual key that opened the session (null when keys are not required). */
  readonly keyId: string | null;
  /** Epoch ms of the last HTTP request on this session. */
  lastSeen: number;
  /** Ends the session: closes its transport and MCP server. */
  close(): Promise<void>;
}

export interface SessionStoreOptions {
  maxSessions: number;
  /**
   * Streamable HTTP sessions idle longer than this are closed (the client gets 404 and starts a
   * new one, as the spec asks). HTTP+SSE sessions live as long as their event stream instead.
   */
  idleTimeoutMs: number;
  now: () => number;
  /** How often idle sessions are looked for (default: a tenth of the idle timeout, ≥ 1 s). */
  sweepEveryMs?: number;
}

export class SessionStore<S extends McpSession = McpSession> {
  private readonly sessions = new Map<string, S>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** Sessions being set up (an initialize request in flight) count against the bound too. */
  private pending = 0;

  constructor(private readonly opts: SessionStoreOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): S | undefined {
    return this.sessions.get(id);
  }

  /** Reserves room for one new session; false when the bound is reached. Pair with add() or unreserve(). */
  reserve(): boolean {
    if (this.sessions.size + this.pending >= this.opts.maxSessions) return false;
    this.pending++;
    return true;
  }

  unreserve(): void {
    this.pending = Math.max(0, this.pending - 1);
  }

  /** Adds a session that reserve() made room for. */
  add(session: S): void {
    this.unreserve();
    this.sessions.set(session.id, session);
    this.startSweeper();
  }

  delete(id: string): void {
    this.sessions.delete(id);
    if (this.sessions.size === 0) this.stopSweeper();
  }

  /** Closes Streamable HTTP sessions idle longer than the timeout; returns their ids. */
  sweep(): string[] {
    const cutoff = this.opts.now() - this.opts.idleTimeoutMs;
    const idle = [...this.sessions.values()].filter((s) => s.kind === 'streamable' && s.lastSeen < cutoff);
    for (const s of idle) {
      this.delete(s.id);
      void s.close().catch(() => undefined);
    }
    return idle.map((s) => s.id);
  }

  async closeAll(): Promise<void> {
    this.stopSweeper();
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }

  // The timer only runs while sessions exist, and never keeps the process alive on its own.
  private startSweeper(): void {
    if (this.sweeper) return;
    const every = this.opts.sweepEveryMs ?? Math.max(1_000, Math.floor(this.opts.idleTimeoutMs / 10));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref?.();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

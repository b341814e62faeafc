// Calls to a stdio server that may still be running there after the gateway stopped waiting for
// them, each remembered for the server's callTimeoutMs: while one might, a question the server
// asks could be that call's, so it is bound to no other call (call-context.ts, callFor). All are
// forgotten at once when the server process is gone.
//
// AbandonedCalls: given up on (timed out, or cancelled after they were sent). A tool may ignore
// notifications/cancelled and run on, and most do: such a call blocks binding for every key.
//
// AnsweredCalls: answered (a result or an error), by key. A tool may also go on after its answer
// (work it started in the background) and ask or log later; that blocks binding only for other
// keys' calls. A key's own next call is left bound: what its earlier call asks late stays within
// the key, and refusing it would break every agent that calls one tool and then another that asks
// its user something (the honest case, and the common one).
export class AbandonedCalls {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly windowMs: number) {}

  /** Calls given up on that may still be running. */
  get size(): number {
    return this.timers.size;
  }

  add(): void {
    const timer = setTimeout(() => this.timers.delete(timer), this.windowMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** The server process is gone: nothing it was running runs any more. */
  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export class AnsweredCalls {
  /** Each key's latest answer (performance.now()), oldest first. No timers: one answer per call. */
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A call of `key` was answered. */
  add(key: string): void {
    const now = this.now();
    this.last.delete(key);
    this.last.set(key, now);
    for (const [old, at] of this.last) {
      if (now - at < this.windowMs) break;
      this.last.delete(old);
    }
  }

  /** Whether a call of a key other than `key` was answered within the window. */
  othersThan(key: string): boolean {
    const now = this.now();
    for (const [other, at] of this.last) if (other !== key && now - at < this.windowMs) return true;
    return false;
  }

  clear(): void {
    this.last.clear();
  }
}

/** Both kinds, for one stdio server. */
export class EndedCalls {
  readonly abandoned: AbandonedCalls;
  private readonly answered: AnsweredCalls;

  constructor(windowMs: number) {
    this.abandoned = new AbandonedCalls(windowMs);
    this.answered = new AnsweredCalls(windowMs);
  }

  /** A call of `key` sent to the server was answered, or given up on. */
  add(key: string, answered: boolean): void {
    if (answered) this.answered.add(key);
    else this.abandoned.add();
  }

  /** Whether a call other than one of `key` may still be running (and asking). */
  othersThan(key: string): boolean {
    return this.abandoned.size > 0 || this.answered.othersThan(key);
  }

  clear(): void {
    this.abandoned.clear();
    this.answered.clear();
  }
}

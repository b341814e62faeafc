// Calls to a stdio server the gateway gave up on (timed out, or cancelled after they were sent),
// each remembered for the server's callTimeoutMs. A tool may ignore notifications/cancelled and run
// on; while one might, a question the server asks could be that call's, so it is bound to no live
// call (call-context.ts, callFor). All are forgotten at once when the server process is gone.
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

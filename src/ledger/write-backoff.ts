// The ledger writer's retry state: a write that failed for a transient reason (database down or
// busy, connection lost, the SQLite worker restarting) is kept and retried after a backoff doubled
// per failure; the first failure, every 10th and the recovery are reported (issue 15).
export class LedgerWriteError extends Error {
  override name = 'LedgerWriteError';
}

export interface BackoffOptions {
  /** Backoff after a failed write: base, doubled per failure up to max (defaults 50 ms and 2 s). */
  retryBaseMs?: number | undefined;
  retryMaxMs?: number | undefined;
  now: () => number;
  onError: (err: Error) => void;
  /** Writes succeeded again after `failures` failed attempts. */
  onResume?: ((failures: number) => void) | undefined;
}

export class WriteBackoff {
  /** Consecutive failed write attempts (0 when the last write succeeded). */
  failures = 0;
  /** When the next attempt may start (0: now); a forced flush does not wait for it. */
  nextAttemptAt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(private readonly opts: BackoffOptions) {
    this.baseMs = opts.retryBaseMs ?? 50;
    this.maxMs = opts.retryMaxMs ?? 2000;
  }

  /** A transient failure writing `rows` rows: they stay queued; the next attempt waits. */
  failed(err: unknown, rows: number): void {
    this.failures += 1;
    const wait = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 20));
    this.nextAttemptAt = this.opts.now() + wait;
    if (this.failures === 1 || this.failures % 10 === 0) {
      this.opts.onError(
        new LedgerWriteError(
          `ledger: writing ${rows} rows failed (attempt ${this.failures}); kept and retried in ${wait} ms: ${(err as Error).message}`,
          { cause: err },
        ),
      );
    }
  }

  succeeded(): void {
    if (this.failures > 0) this.opts.onResume?.(this.failures);
    this.failures = 0;
    this.nextAttemptAt = 0;
  }
}

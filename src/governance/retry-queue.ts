// Retries idempotent counter operations (settle, release) until they land. A settle that never
// lands would lose spend; a release that never lands would hold a budget shut. Both are safe to
// repeat (the store keys them by reservation id), so the only correct policy is "again, later":
// exponential backoff up to maxMs, for as long as the process runs. On shutdown, drain() waits a
// bounded time; what is still pending then is covered by the reservations' leases.
import { type LiveEntry, LiveList } from './live-list.js';

export interface RetryQueueOptions {
  /** First retry after about this long; doubles up to maxMs. */
  baseMs?: number;
  maxMs?: number;
  /** Injected for tests; returns a cancel function. */
  schedule?: (run: () => void, ms: number) => () => void;
  /** Every failed attempt (the caller decides what to log). */
  onError?: (err: Error, what: string, attempt: number) => void;
}

interface Item extends LiveEntry {
  what: string;
  op: () => Promise<void>;
  attempt: number;
  resolve: () => void;
  cancel?: (() => void) | undefined;
}

const defaultSchedule = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  // Pending retries never keep the process alive on their own; shutdown drains them.
  timer.unref();
  return () => clearTimeout(timer);
};

export class RetryQueue {
  /** Operations not landed yet (a list, not a Set: live-list.ts). */
  private readonly items = new LiveList<Item>();
  private readonly idle: (() => void)[] = [];
  private stopped = false;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly schedule: NonNullable<RetryQueueOptions['schedule']>;

  constructor(private readonly opts: RetryQueueOptions = {}) {
    this.baseMs = opts.baseMs ?? 100;
    this.maxMs = opts.maxMs ?? 5000;
    this.schedule = opts.schedule ?? defaultSchedule;
  }

  /** Operations not landed yet. */
  get pending(): number {
    return this.items.size;
  }

  /** Runs `op` now and again after each failure; resolves once it succeeded (or the queue stopped). */
  run(what: string, op: () => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const item: Item = { what, op, attempt: 0, resolve, cancel: undefined, livePrev: undefined, liveNext: undefined, listed: false };
      this.items.add(item);
      this.attempt(item);
    });
  }

  /** Waits until nothing is pending, or `timeoutMs`; true when everything landed. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.items.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.items.size === 0), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops retrying; pending operations resolve without landing. */
  stop(): void {
    this.stopped = true;
    for (const item of this.items.values()) {
      item.cancel?.();
      item.resolve();
    }
    this.items.clear();
  }

  private attempt(item: Item): void {
    item.attempt += 1;
    let run: Promise<void>;
    try {
      run = item.op();
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      () => this.done(item),
      (err: unknown) => {
        this.opts.onError?.(err instanceof Error ? err : new Error(String(err)), item.what, item.attempt);
        if (this.stopped) return;
        const ms = Math.min(this.maxMs, this.baseMs * 2 ** (item.attempt - 1));
        item.cancel = this.schedule(() => this.attempt(item), ms);
      },
    );
  }

  private done(item: Item): void {
    this.items.remove(item);
    item.resolve();
    if (this.items.size === 0) for (const notify of this.idle.splice(0)) notify();
  }
}

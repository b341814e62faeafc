// The ledger's async batched writer. The request path only pushes plain rows onto an in-memory
// queue; a timer (or a full batch) writes them in one transaction per batch with statements
// prepared once. The back end is SQLite's prepared statements (synchronous, no await on that path)
// or any async LedgerBackend (the SQLite worker, PostgreSQL); the queue is the same.
//
// A row of an answered request is never dropped (issue 15):
// - A batch that fails for a transient reason (database down or busy, connection lost, the SQLite
//   worker restarting) stays queued and is retried with exponential backoff for as long as the
//   process lives (write-backoff.ts).
// - Only rows the database refuses as data errors (a constraint, a value it cannot store) are set
//   aside: the batch is retried row by row, the refused rows go to ledger_dead_letters
//   (dead-letters.ts).
// - Back-pressure is bounded by rows and by bytes: past either bound, room() and the row methods
//   return a Promise that resolves once writes made room, which the HTTP layer awaits before taking
//   more work. Batches are bounded by bytes too, so one batch of large payloads stays small.
// - close() keeps retrying up to its deadline; rows still unwritten then are reported one by one.
import { performance } from 'node:perf_hooks';
import type { Sqlite } from '../db/open.js';
import type { LedgerItem, LlmCallRow, PayloadRow, RequestRow, ToolCallRow } from './rows.js';
import { DeadLetters } from './dead-letters.js';
import { type DeadLetter, prepareLedgerStatements } from './statements.js';
import { LedgerWriteError, WriteBackoff } from './write-backoff.js';
import { isDataError, itemBytes } from './write-errors.js';

export { LedgerWriteError } from './write-backoff.js';

/** Where batches go. A returned Promise is awaited; a sync back end (SQLite) returns nothing. */
export interface LedgerBackend {
  /** All items in ONE transaction; all or nothing. */
  writeBatch(items: readonly LedgerItem[]): void | Promise<void>;
  /** One item on its own (finding the rows a batch's data error came from). */
  write(item: LedgerItem): void | Promise<void>;
  /** Refused rows, set aside in ledger_dead_letters (one transaction). */
  writeDeadLetters(letters: readonly DeadLetter[]): void | Promise<void>;
}

export type { LlmCallRow, PayloadRow, RequestRow, ToolCallRow } from './rows.js';
export type { DeadLetter } from './statements.js';

export type LedgerWriterOptions = ({ sqlite: Sqlite } | { backend: LedgerBackend }) & LedgerQueueOptions;

export interface LedgerQueueOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  /** Bound of the queue in bytes (approximate: the rows' text); default 64 MiB. */
  maxQueueBytes?: number;
  /** Bound of one batch in bytes; default 4 MiB (a single larger row is written alone). */
  maxBatchBytes?: number;
  /** Backoff after a failed write: base, doubled per failure up to max (defaults 50 ms and 2 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  now?: () => number;
  onFlush?: (rows: number, ms: number) => void;
  onError?: (err: Error) => void;
  /** Writes succeeded again after `failures` failed attempts. */
  onResume?: (failures: number) => void;
}

export interface LedgerWriter {
  request(row: RequestRow): void | Promise<void>;
  llmCall(row: LlmCallRow): void | Promise<void>;
  toolCall(row: ToolCallRow): void | Promise<void>;
  payload(row: PayloadRow): void | Promise<void>;
  /** undefined while the queue has room; else a Promise that resolves once it has (back-pressure). */
  room(): Promise<void> | undefined;
  /** Whether the queue is at its bound (rows or bytes): writers are waiting or about to. */
  full(): boolean;
  /** Rows queued and not yet written. */
  depth(): number;
  /** Approximate bytes queued. */
  bytes(): number;
  /** Consecutive failed write attempts (0 when the last write succeeded). */
  failures(): number;
  /** Writes everything queued now (one attempt, whatever the backoff). A failing batch stays queued. */
  flush(): Promise<void>;
  /**
   * Stops the timer and writes everything, retrying transient failures until `timeoutMs` (default
   * 30 s). Returns how many rows could not be written; each of them was reported through onError.
   */
  close(timeoutMs?: number): Promise<number>;
}

interface Entry {
  item: LedgerItem;
  bytes: number;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createLedgerWriter(opts: LedgerWriterOptions): LedgerWriter {
  const backend: LedgerBackend = 'backend' in opts ? opts.backend : prepareLedgerStatements(opts.sqlite);
  const maxQueueBytes = opts.maxQueueBytes ?? 64 * 1024 * 1024;
  const maxBatchBytes = opts.maxBatchBytes ?? 4 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  const onError = opts.onError ?? ((err: Error) => console.error(err));
  // A head index instead of shift()/splice(): O(1) dequeue; compacted once mostly consumed.
  // Written slots are cleared at once: an entry kept past its write (until 4,096 had piled up)
  // outlived two scavenges and was promoted, so every row became old-space garbage and the
  // ledger alone paid for a mark-compact every few seconds under load.
  let queue: (Entry | undefined)[] = [];
  let head = 0;
  let queuedBytes = 0;
  const backoff = new WriteBackoff({ retryBaseMs: opts.retryBaseMs, retryMaxMs: opts.retryMaxMs, now, onError, onResume: opts.onResume });
  const dead = new DeadLetters(backend, backoff, now, onError);
  let waiters: (() => void)[] = [];
  let running: Promise<void> | null = null;
  let soon = false;

  const depth = (): number => queue.length - head;
  const full = (): boolean => depth() >= opts.maxQueue || queuedBytes >= maxQueueBytes;

  const release = (): void => {
    if (full() || waiters.length === 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const advance = (n: number): void => {
    for (let i = head; i < head + n; i++) {
      queuedBytes -= queue[i]!.bytes;
      queue[i] = undefined;
    }
    head += n;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    release();
  };

  const takeBatch = (): Entry[] => {
    let end = head;
    let bytes = 0;
    while (end < queue.length && end - head < opts.batchSize) {
      const b = queue[end]!.bytes;
      if (end > head && bytes + b > maxBatchBytes) break;
      bytes += b;
      end++;
    }
    return queue.slice(head, end) as Entry[]; // only slots before head are cleared
  };

  // Writes the next batch; false when it (or part of it) failed transiently and stays queued.
  const writeNextBatch = async (): Promise<boolean> => {
    const batch = takeBatch();
    const items = batch.map((e) => e.item);
    const started = performance.now();
    try {
      const pending = backend.writeBatch(items);
      if (pending) await pending;
    } catch (err) {
      if (!isDataError(err)) {
        backoff.failed(err, batch.length);
        return false;
      }
      // Some row will never be taken: find it row by row; the others are written.
      const done = await dead.isolate(items);
      advance(done);
      opts.onFlush?.(done, performance.now() - started);
      return done === batch.length;
    }
    backoff.succeeded();
    advance(batch.length);
    opts.onFlush?.(batch.length, performance.now() - started);
    return true;
  };

  const drain = async (force: boolean): Promise<void> => {
    while (depth() > 0 || dead.pending.length > 0) {
      if (!force && now() < backoff.nextAttemptAt) return;
      force = false;
      if (dead.pending.length > 0 && !(await dead.write())) return;
      if (depth() > 0 && !(await writeNextBatch())) return;
      // Let requests run between batches instead of holding the event loop for a whole backlog.
      if (depth() > 0) await tick();
    }
  };

  const run = (force: boolean): Promise<void> => {
    if (running) return running.then(() => (depth() > 0 && force ? run(force) : undefined));
    running = drain(force).finally(() => {
      running = null;
    });
    return running;
  };

  const flushSoon = (): void => {
    if (soon) return;
    soon = true;
    setImmediate(() => {
      soon = false;
      void run(false);
    });
  };

  const timer = setInterval(() => {
    if ((depth() > 0 || dead.pending.length > 0) && !running) void run(false);
  }, opts.flushIntervalMs);
  // The ledger must never keep the process alive on its own; shutdown calls close().
  timer.unref();

  const wait = (): Promise<void> => {
    flushSoon();
    return new Promise<void>((resolve) => waiters.push(resolve));
  };

  const enqueue = (item: LedgerItem): void | Promise<void> => {
    const bytes = itemBytes(item);
    queue.push({ item, bytes });
    queuedBytes += bytes;
    if (depth() >= opts.batchSize || queuedBytes >= maxBatchBytes) flushSoon();
    return full() ? wait() : undefined;
  };

  return {
    request: (row) => enqueue({ table: 'requests', row }),
    llmCall: (row) => enqueue({ table: 'llm_calls', row }),
    toolCall: (row) => enqueue({ table: 'tool_calls', row }),
    payload: (row) => enqueue({ table: 'payloads', row }),
    room: () => (full() ? wait() : undefined),
    full,
    depth,
    bytes: () => queuedBytes,
    failures: () => backoff.failures,
    flush: () => run(true),
    async close(timeoutMs = 30_000) {
      clearInterval(timer);
      const deadline = now() + timeoutMs;
      for (;;) {
        await run(true);
        if ((depth() === 0 && dead.pending.length === 0) || now() >= deadline) break;
        await sleep(Math.max(1, Math.min(backoff.nextAttemptAt, deadline) - now()));
      }
      const left = depth();
      for (let i = head; i < queue.length; i++)
        onError(new LedgerWriteError(`ledger: not written before shutdown: ${queue[i]!.item.table} ${JSON.stringify(queue[i]!.item.row)}`));
      for (const d of dead.pending)
        onError(new LedgerWriteError(`ledger: not set aside before shutdown: ${d.item.table} ${JSON.stringify(d.item.row)} (${d.error})`));
      return left + dead.pending.length;
    },
  };
}

// The ledger's async batched writer. The request path only pushes plain rows onto an in-memory
// queue; a timer (or a full batch) writes them in one transaction per batch with statements
// prepared once. When the queue is full the push returns a Promise that resolves once a flush
// made room again, so callers slow down instead of rows being dropped (back-pressure).
// The back end is SQLite's prepared statements (synchronous, no await on that path) or any async
// LedgerBackend (PostgreSQL: one multi-row INSERT transaction per batch); the queue is the same.
import { performance } from 'node:perf_hooks';
import type { Sqlite } from '../db/open.js';
import type { LedgerItem, LlmCallRow, PayloadRow, RequestRow, ToolCallRow } from './rows.js';
import { prepareLedgerStatements } from './statements.js';

/** Where batches go. A returned Promise is awaited; a sync back end (SQLite) returns nothing. */
export interface LedgerBackend {
  /** All items in ONE transaction; all or nothing. */
  writeBatch(items: readonly LedgerItem[]): void | Promise<void>;
  /** One item on its own (isolating a bad row after repeated batch failures). */
  write(item: LedgerItem): void | Promise<void>;
}

export type { LlmCallRow, PayloadRow, RequestRow, ToolCallRow } from './rows.js';

export type LedgerWriterOptions = ({ sqlite: Sqlite } | { backend: LedgerBackend }) & LedgerQueueOptions;

interface LedgerQueueOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  /** Failed attempts at one batch before its rows are written one by one and bad rows dropped. */
  maxAttempts?: number;
  onFlush?: (rows: number, ms: number) => void;
  onError?: (err: Error) => void;
}

export interface LedgerWriter {
  request(row: RequestRow): void | Promise<void>;
  llmCall(row: LlmCallRow): void | Promise<void>;
  toolCall(row: ToolCallRow): void | Promise<void>;
  payload(row: PayloadRow): void | Promise<void>;
  /** Rows queued and not yet written. */
  depth(): number;
  /** Writes everything queued now. A failing batch is reported via onError and kept. */
  flush(): Promise<void>;
  /** Stops the timer and writes everything, retrying failures up to the attempt cap. */
  close(): Promise<void>;
}

export class LedgerWriteError extends Error {
  override name = 'LedgerWriteError';
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createLedgerWriter(opts: LedgerWriterOptions): LedgerWriter {
  const statements: LedgerBackend = 'backend' in opts ? opts.backend : prepareLedgerStatements(opts.sqlite);
  const maxAttempts = opts.maxAttempts ?? 5;
  const onError = opts.onError ?? ((err: Error) => console.error(err));
  // A head index instead of shift()/splice(): O(1) dequeue; compacted once mostly consumed.
  let queue: LedgerItem[] = [];
  let head = 0;
  let failures = 0;
  let waiters: (() => void)[] = [];
  let running: Promise<void> | null = null;
  let soon = false;

  const depth = (): number => queue.length - head;

  const release = (): void => {
    if (depth() >= opts.maxQueue || waiters.length === 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  // Writes the next batch; false when it failed and its rows stay queued.
  const writeNextBatch = async (): Promise<boolean> => {
    const batch = queue.slice(head, head + opts.batchSize);
    const started = performance.now();
    try {
      const pending = statements.writeBatch(batch);
      if (pending) await pending;
    } catch (err) {
      failures += 1;
      const reason = (err as Error).message;
      if (failures < maxAttempts) {
        onError(
          new LedgerWriteError(
            `ledger: writing ${batch.length} rows failed (attempt ${failures} of ${maxAttempts}), kept for retry: ${reason}`,
            { cause: err },
          ),
        );
        return false;
      }
      await isolate(batch);
    }
    failures = 0;
    head += batch.length;
    if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    opts.onFlush?.(batch.length, performance.now() - started);
    release();
    return true;
  };

  // Retry cap reached: one bad row (say a duplicate id) must not block the ledger forever, so
  // write row by row and drop, loudly, only the rows that still fail.
  const isolate = async (batch: LedgerItem[]): Promise<void> => {
    for (const item of batch) {
      try {
        const pending = statements.write(item);
        if (pending) await pending;
      } catch (err) {
        const id = 'id' in item.row ? ` ${item.row.id}` : '';
        onError(
          new LedgerWriteError(`ledger: dropped a ${item.table} row${id} after ${maxAttempts} failed attempts: ${(err as Error).message}`, {
            cause: err,
          }),
        );
      }
    }
  };

  const drain = async (): Promise<void> => {
    while (depth() > 0) {
      if (!(await writeNextBatch())) return;
      // Let requests run between batches instead of holding the event loop for a whole backlog.
      if (depth() > 0) await tick();
    }
  };

  const flush = (): Promise<void> => {
    if (running) return running.then(() => (depth() > 0 ? flush() : undefined));
    running = drain().finally(() => {
      running = null;
    });
    return running;
  };

  const flushSoon = (): void => {
    if (soon) return;
    soon = true;
    setImmediate(() => {
      soon = false;
      void flush();
    });
  };

  const timer = setInterval(() => {
    if (depth() > 0 && !running) void flush();
  }, opts.flushIntervalMs);
  // The ledger must never keep the process alive on its own; shutdown calls close().
  timer.unref();

  const enqueue = (item: LedgerItem): void | Promise<void> => {
    queue.push(item);
    const d = depth();
    if (d >= opts.batchSize) flushSoon();
    if (d < opts.maxQueue) return undefined;
    flushSoon();
    return new Promise<void>((resolve) => waiters.push(resolve));
  };

  return {
    request: (row) => enqueue({ table: 'requests', row }),
    llmCall: (row) => enqueue({ table: 'llm_calls', row }),
    toolCall: (row) => enqueue({ table: 'tool_calls', row }),
    payload: (row) => enqueue({ table: 'payloads', row }),
    depth,
    flush,
    close: async () => {
      clearInterval(timer);
      // Each failed attempt counts towards maxAttempts, so this ends: rows are written or dropped.
      while (depth() > 0) {
        await flush();
        if (depth() > 0 && failures > 0) await sleep(20);
      }
    },
  };
}

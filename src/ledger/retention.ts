// Deletes ledger rows past their retention, in small batches (rowid subquery with LIMIT) so
// each DELETE holds the write lock briefly and the ledger writer can interleave between them.
// Payloads (prompts, tool results) have their own, usually much shorter, retention.
// Ledger rows of a budget period still in force are never deleted, whatever retentionDays says:
// the start-up budget restore reads them (`keepSince`, from the budgets in the registry).
// Where the DELETEs run is a DeleteOlder: the gateway's is the ledger's writer thread
// (worker-backend.ts), so no batch runs on the event loop, nor waits there for the writer's lock
// (busy_timeout) while a ledger batch commits; the batches queue in order with the ledger's own.
// A bare connection runs them on the caller's thread (':memory:', tests).
import type { Sqlite } from '../db/open.js';

export const RETENTION_TABLES = ['payloads', 'llm_calls', 'tool_calls', 'requests'] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

/** Deletes up to batchSize rows of `table` older than cutoff; returns how many it deleted. */
export type DeleteOlder = (table: RetentionTable, cutoff: number, batchSize: number) => number | Promise<number>;

/** DELETEs on this connection, on the caller's thread (statements prepared once per table). */
export function deleteOlderOn(sqlite: Sqlite): DeleteOlder {
  const prepare = (table: RetentionTable) =>
    // Uses the table's ts index to find each batch.
    sqlite.prepare<[number, number]>(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ts < ? LIMIT ?)`);
  const statements = new Map<RetentionTable, ReturnType<typeof prepare>>();
  return (table, cutoff, batchSize) => {
    // Table names only from the fixed list: they are spliced into the SQL.
    if (!RETENTION_TABLES.includes(table)) throw new Error(`retention: no such table ${String(table)}`);
    let stmt = statements.get(table);
    if (!stmt) {
      stmt = prepare(table);
      statements.set(table, stmt);
    }
    return stmt.run(cutoff, batchSize).changes;
  };
}

export interface RetentionOptions {
  /** Ledger rows (requests, llm_calls, tool_calls) older than this are deleted; unset = keep forever. */
  retentionDays?: number | undefined;
  payloadRetentionDays: number;
  batchSize: number;
  /** Epoch ms; injected for tests. */
  now: number;
  /** Ledger rows at or after this epoch ms are kept (the oldest budget period in force); 0 keeps all. */
  keepSince?: number | undefined;
}

/** Ledger rows older than this go: retentionDays back, but never into a budget period in force. */
export function ledgerCutoff(now: number, retentionDays: number, keepSince: number | undefined): number {
  return Math.min(now - retentionDays * DAY_MS, keepSince ?? Number.POSITIVE_INFINITY);
}

export interface RetentionResult {
  requests: number;
  llmCalls: number;
  toolCalls: number;
  payloads: number;
}

const DAY_MS = 86_400_000;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function deleteOlderThan(
  del: DeleteOlder,
  table: RetentionTable,
  cutoff: number,
  batchSize: number,
  stopped: () => boolean,
): Promise<number> {
  let total = 0;
  for (;;) {
    const changes = await del(table, cutoff, batchSize);
    total += changes;
    if (changes < batchSize || stopped()) return total;
    await tick();
  }
}

/** `target`: a connection (DELETEs on this thread) or where to send them (the writer thread). */
export async function runRetention(
  target: Sqlite | DeleteOlder,
  opts: RetentionOptions,
  stopped: () => boolean = () => false,
): Promise<RetentionResult> {
  const del = typeof target === 'function' ? target : deleteOlderOn(target);
  const result: RetentionResult = { requests: 0, llmCalls: 0, toolCalls: 0, payloads: 0 };
  result.payloads = await deleteOlderThan(del, 'payloads', opts.now - opts.payloadRetentionDays * DAY_MS, opts.batchSize, stopped);
  if (opts.retentionDays !== undefined) {
    const cutoff = ledgerCutoff(opts.now, opts.retentionDays, opts.keepSince);
    result.llmCalls = await deleteOlderThan(del, 'llm_calls', cutoff, opts.batchSize, stopped);
    result.toolCalls = await deleteOlderThan(del, 'tool_calls', cutoff, opts.batchSize, stopped);
    result.requests = await deleteOlderThan(del, 'requests', cutoff, opts.batchSize, stopped);
  }
  return result;
}

export interface RetentionSchedule {
  retentionDays?: number | undefined;
  payloadRetentionDays: number;
  batchSize?: number;
  /** How often to run; default hourly. */
  intervalMs?: number;
  now?: () => number;
  /** See RetentionOptions.keepSince; read at every run. */
  keepSince?: () => number;
  onRun?: (result: RetentionResult) => void;
  onError?: (err: Error) => void;
}

/** Runs retention now and then every intervalMs; the timer never keeps the process alive. */
export function startRetention(target: Sqlite | DeleteOlder, opts: RetentionSchedule): { stop(): void } {
  const now = opts.now ?? Date.now;
  const del = typeof target === 'function' ? target : deleteOlderOn(target);
  let busy = false;
  let stopped = false;
  const run = (): void => {
    if (busy || stopped) return;
    busy = true;
    runRetention(
      del,
      {
        retentionDays: opts.retentionDays,
        payloadRetentionDays: opts.payloadRetentionDays,
        batchSize: opts.batchSize ?? 1000,
        now: now(),
        keepSince: opts.keepSince?.(),
      },
      () => stopped,
    )
      .then((result) => opts.onRun?.(result))
      .catch((err: unknown) => opts.onError?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(run, opts.intervalMs ?? 3_600_000);
  timer.unref();
  const first = setImmediate(run);
  return {
    // A run under way ends after its current batch (shutdown stops this before the writer thread).
    stop: () => {
      stopped = true;
      clearInterval(timer);
      clearImmediate(first);
    },
  };
}

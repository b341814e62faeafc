// Deletes ledger rows past their retention, in small batches (rowid subquery with LIMIT) so
// each DELETE holds the write lock briefly and the ledger writer can interleave between them.
// Payloads (prompts, tool results) have their own, usually much shorter, retention.
// Ledger rows of a budget period still in force are never deleted, whatever retentionDays says:
// the start-up budget restore reads them (`keepSince`, from the budgets in the registry).
import type { Sqlite } from '../db/open.js';

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

async function deleteOlderThan(sqlite: Sqlite, table: string, cutoff: number, batchSize: number): Promise<number> {
  // Uses the table's ts index to find each batch. Table names come from the fixed list below.
  const stmt = sqlite.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ts < ? LIMIT ?)`);
  let total = 0;
  for (;;) {
    const { changes } = stmt.run(cutoff, batchSize);
    total += changes;
    if (changes < batchSize) return total;
    await tick();
  }
}

export async function runRetention(sqlite: Sqlite, opts: RetentionOptions): Promise<RetentionResult> {
  const result: RetentionResult = { requests: 0, llmCalls: 0, toolCalls: 0, payloads: 0 };
  result.payloads = await deleteOlderThan(sqlite, 'payloads', opts.now - opts.payloadRetentionDays * DAY_MS, opts.batchSize);
  if (opts.retentionDays !== undefined) {
    const cutoff = ledgerCutoff(opts.now, opts.retentionDays, opts.keepSince);
    result.llmCalls = await deleteOlderThan(sqlite, 'llm_calls', cutoff, opts.batchSize);
    result.toolCalls = await deleteOlderThan(sqlite, 'tool_calls', cutoff, opts.batchSize);
    result.requests = await deleteOlderThan(sqlite, 'requests', cutoff, opts.batchSize);
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
export function startRetention(sqlite: Sqlite, opts: RetentionSchedule): { stop(): void } {
  const now = opts.now ?? Date.now;
  let busy = false;
  const run = (): void => {
    if (busy) return;
    busy = true;
    runRetention(sqlite, {
      retentionDays: opts.retentionDays,
      payloadRetentionDays: opts.payloadRetentionDays,
      batchSize: opts.batchSize ?? 1000,
      now: now(),
      keepSince: opts.keepSince?.(),
    })
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
    stop: () => {
      clearInterval(timer);
      clearImmediate(first);
    },
  };
}

// Ledger retention on PostgreSQL: the same rules as src/ledger/retention.ts (payloads by their
// own retention, ledger rows only when retentionDays is set), deleted in small ctid batches so
// no DELETE holds locks for long. Runs now and hourly; the timer never keeps the process alive.
import type pg from 'pg';
import { ledgerCutoff } from './retention.js';

const DAY_MS = 86_400_000;
const BATCH = 1000;

async function deleteOlderThan(pool: pg.Pool, table: string, cutoff: number): Promise<void> {
  // Table names come from the fixed lists below, never from input.
  for (;;) {
    const { rowCount } = await pool.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ts < $1 LIMIT ${BATCH})`, [
      cutoff,
    ]);
    if ((rowCount ?? 0) < BATCH) return;
  }
}

export function startPgRetention(
  pool: pg.Pool,
  opts: {
    retentionDays?: number | undefined;
    payloadRetentionDays: number;
    onError: (err: Error) => void;
    now?: () => number;
    /** Rows of budget periods in force are kept (see src/ledger/retention.ts). */
    keepSince?: () => number;
  },
): { stop(): void } {
  const now = opts.now ?? Date.now;
  let busy = false;
  const run = async (): Promise<void> => {
    const t = now();
    await deleteOlderThan(pool, 'payloads', t - opts.payloadRetentionDays * DAY_MS);
    if (opts.retentionDays === undefined) return;
    const cutoff = ledgerCutoff(t, opts.retentionDays, opts.keepSince?.());
    for (const table of ['llm_calls', 'tool_calls', 'requests']) await deleteOlderThan(pool, table, cutoff);
  };
  const tick = (): void => {
    if (busy) return;
    busy = true;
    run()
      .catch((err: unknown) => opts.onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, 3_600_000);
  timer.unref();
  const first = setTimeout(tick, 1000);
  first.unref();
  return {
    stop: () => {
      clearInterval(timer);
      clearTimeout(first);
    },
  };
}

// The `ledger` section of the config (README, "Configuration"): what the ledger keeps, for how long,
// and the writer's batches and back-pressure bounds.
import { z } from 'zod';
import { timerMs } from './config-timers.js';

export const ledgerSchema = z
  .strictObject({
    /** Store prompts, completions, tool args and results in `payloads`. Off by default. */
    payloads: z.boolean().default(false),
    retentionDays: z.number().positive().optional(),
    payloadRetentionDays: z.number().positive().default(7),
    flushIntervalMs: timerMs().default(200),
    /**
     * Rows per transaction at most. Each COMMIT writes every page the batch dirtied to the WAL, so
     * under load larger batches cost the writer thread less per row: 1000 rows (500 chat requests)
     * took ~11% less of its CPU than 500 (bench/README.md "Ledger writer CPU"). The main thread
     * hands a batch over in one piece (~0.5 ms for 1000 rows), so much larger ones would show in p99.
     */
    batchSize: z.number().int().positive().default(1000),
    /** Bound of the in-memory queue; when full, writers wait (back-pressure), nothing is dropped. */
    maxQueue: z.number().int().positive().default(50_000),
    /** The same bound in bytes (approximate: the rows' text), default 64 MiB. */
    maxQueueBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    /** One batch's bound in bytes, default 4 MiB (large payloads make smaller batches). */
    maxBatchBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    /** The longest wait between retries of a failing write (database down); retries never stop. */
    retryMaxMs: timerMs().default(2000),
  })
  .default({
    payloads: false,
    payloadRetentionDays: 7,
    flushIntervalMs: 200,
    batchSize: 1000,
    maxQueue: 50_000,
    maxQueueBytes: 64 * 1024 * 1024,
    maxBatchBytes: 4 * 1024 * 1024,
    retryMaxMs: 2000,
  });

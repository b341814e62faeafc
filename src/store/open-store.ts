// The one place that picks the ledger and config store: SQLite (a file path, the embedded
// default) or PostgreSQL (a postgres:// URL, shared by replicas). The gateway only sees this
// shape; the SQLite path is exactly what it was (same writer, statements and retention).
import type pg from 'pg';
import type { Sqlite } from '../db/open.js';
import { openDatabase, migrateDatabase, type OpenedDatabase } from '../db/open.js';
import { createGovernanceRepository } from '../governance/repository-sqlite.js';
import { createToolPinStore } from '../../mcp/pinning/store-sqlite.js';
import { spendSince } from '../db/spend.js';
import { createLedgerWriter, type LedgerWriter } from '../ledger/writer.js';
import { startRetention } from '../ledger/retention.js';
import { createWorkerLedgerBackend } from '../ledger/worker-backend.js';
import type { GovernanceRepository } from '../governance/types.js';
import type { SpendQuery } from '../governance/restore.js';
import type { PinStore } from '../../mcp/pinning/types.js';
import { createQueuedResponseStore, createSqliteResponseStore } from '../stored-responses/sqlite-responses.js';
import { createQueuedApprovalStore, createSqliteApprovalStore } from '../stored-responses/sqlite-approvals.js';
import type { ApprovalStore } from '../stored-responses/approvals.js';
import { DEFAULT_RESPONSE_RETENTION, type ResponseRetention, type ResponseStore } from '../stored-responses/response-store.js';

/** postgres:// or postgresql:// selects PostgreSQL; anything else is a SQLite path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export interface StoreOptions {
  /** SQLite file path or postgres:// URL (TOLLGATE_DB). */
  location: string;
  ledger: {
    batchSize: number;
    flushIntervalMs: number;
    maxQueue: number;
    maxQueueBytes?: number;
    maxBatchBytes?: number;
    retryMaxMs?: number;
    retentionDays?: number | undefined;
    payloadRetentionDays: number;
  };
  onLedgerError: (err: Error) => void;
  /** Ledger writes succeeded again after failing. */
  onLedgerResume?: (failures: number) => void;
  onLedgerFlush: (rows: number, ms: number) => void;
  onRetentionError: (err: Error) => void;
  /** Ledger rows at or after this epoch ms are never deleted by retention (budget periods in force). */
  keepLedgerSince?: () => number;
  /** How long stored Responses live and how many each key keeps (default: a day, 2 000). */
  responses?: ResponseRetention;
}

export interface Store {
  kind: 'sqlite' | 'postgres';
  /** Where it is, for the startup summary (no password). */
  label: string;
  ledger: LedgerWriter;
  repository: GovernanceRepository;
  spend: SpendQuery;
  /** MCP tool pins, persisted in the same database. */
  pins: PinStore;
  /** Stored Responses (previous_response_id, GET, DELETE), shared by replicas on PostgreSQL. */
  responses: ResponseStore;
  /** Hosted MCP approvals (mcp_approval_request / _response), in the same database. */
  approvals: ApprovalStore;
  /** SQLite only: the dashboard reads the file directly with prepared statements. */
  sqlite?: { opened: OpenedDatabase; raw: Sqlite };
  /** PostgreSQL only: the pool the dashboard's read queries share with the ledger. */
  postgres?: { pool: pg.Pool };
  /** Flushes the ledger, stops retention, closes the connection(s). */
  close(): Promise<void>;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const queue = {
    batchSize: opts.ledger.batchSize,
    flushIntervalMs: opts.ledger.flushIntervalMs,
    maxQueue: opts.ledger.maxQueue,
    ...(opts.ledger.maxQueueBytes ? { maxQueueBytes: opts.ledger.maxQueueBytes } : {}),
    ...(opts.ledger.maxBatchBytes ? { maxBatchBytes: opts.ledger.maxBatchBytes } : {}),
    ...(opts.ledger.retryMaxMs ? { retryMaxMs: opts.ledger.retryMaxMs } : {}),
    onError: opts.onLedgerError,
    ...(opts.onLedgerResume ? { onResume: opts.onLedgerResume } : {}),
    onFlush: opts.onLedgerFlush,
  };
  const retentionOpts = {
    retentionDays: opts.ledger.retentionDays,
    payloadRetentionDays: opts.ledger.payloadRetentionDays,
    onError: opts.onRetentionError,
    ...(opts.keepLedgerSince ? { keepSince: opts.keepLedgerSince } : {}),
  };

  if (isPostgresUrl(opts.location)) {
    // Loaded only when configured: the embedded SQLite default never loads the pg client.
    const { openPostgresStore } = await import('./pg-store.js');
    return openPostgresStore(opts, queue, retentionOpts);
  }

  const db = openDatabase(opts.location);
  migrateDatabase(db);
  // In-memory databases cannot be shared with a worker's connection; files get the worker.
  const backend = db.path === ':memory:' ? undefined : createWorkerLedgerBackend(db.path);
  // No chat traffic before the ledger can write: the worker must have opened the database.
  try {
    await backend?.ready();
  } catch (err) {
    await backend?.close();
    db.close();
    throw err;
  }
  const ledger = backend ? createLedgerWriter({ backend, ...queue }) : createLedgerWriter({ sqlite: db.sqlite, ...queue });
  // Retention's DELETE batches run in the writer thread too (none on the event loop).
  const retention = startRetention(backend ? backend.deleteOlder : db.sqlite, retentionOpts);
  // Stored responses and approvals run their SQL in the ledger's worker, off the event loop (and in
  // order there: a read follows the writes sent before it); ':memory:' has no worker.
  const responseRetention = opts.responses ?? DEFAULT_RESPONSE_RETENTION;
  const responses = backend
    ? createQueuedResponseStore(backend.store, responseRetention, Date.now, opts.onLedgerError)
    : createSqliteResponseStore(db.sqlite, responseRetention);
  return {
    kind: 'sqlite',
    label: opts.location,
    ledger,
    repository: createGovernanceRepository(db.db),
    spend: async (scope, sinceMs) => spendSince(db.sqlite, scope, sinceMs),
    pins: createToolPinStore(db.db),
    responses,
    approvals: backend ? createQueuedApprovalStore(backend.store) : createSqliteApprovalStore(db.sqlite),
    sqlite: { opened: db, raw: db.sqlite },
    async close() {
      retention.stop();
      // Before the worker stops: the responses held or in flight are written (or reported).
      await responses.flush();
      await ledger.close();
      await backend?.close();
      db.close();
    },
  };
}

// The PostgreSQL store (TOLLGATE_DB=postgres://…), loaded on demand by ../store.ts.
import type { Store, StoreOptions } from './open-store.js';
import { createLedgerWriter } from '../ledger/writer.js';
import { migratePostgres, openPostgres } from '../db/pg/open.js';
import { createPgLedgerBackend } from '../ledger/pg-backend.js';
import { createPgGovernanceRepository } from '../governance/repository-pg.js';
import { createPgSpendQuery } from '../db/pg/spend.js';
import { startPgRetention } from '../ledger/pg-retention.js';
import { createPgToolPinStore } from '../../mcp/pinning/store-pg.js';
import { createPgResponseStore } from '../stored-responses/pg-responses.js';
import { createPgApprovalStore } from '../stored-responses/pg-approvals.js';
import { DEFAULT_RESPONSE_RETENTION } from '../stored-responses/response-store.js';

type QueueOptions = Omit<Parameters<typeof createLedgerWriter>[0], 'sqlite' | 'backend'>;
type RetentionOptions = Parameters<typeof startPgRetention>[1];

export async function openPostgresStore(opts: StoreOptions, queue: QueueOptions, retentionOpts: RetentionOptions): Promise<Store> {
  const pg = await openPostgres(opts.location);
  try {
    await migratePostgres(pg);
  } catch (err) {
    await pg.close();
    throw err;
  }
  const ledger = createLedgerWriter({ backend: createPgLedgerBackend(pg.pool), ...queue });
  const retention = startPgRetention(pg.pool, retentionOpts);
  return {
    kind: 'postgres',
    label: pg.label,
    ledger,
    repository: createPgGovernanceRepository(pg.db),
    spend: createPgSpendQuery(pg.pool),
    pins: createPgToolPinStore(pg.db),
    responses: createPgResponseStore(pg.pool, opts.responses ?? DEFAULT_RESPONSE_RETENTION),
    approvals: createPgApprovalStore(pg.pool),
    postgres: { pool: pg.pool },
    async close() {
      retention.stop();
      await ledger.close();
      await pg.close();
    },
  };
}

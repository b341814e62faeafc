// The SQLite ApprovalStore (src/stored-responses/approvals.ts). Its SQL (src/db/responses-sql.ts) runs
// where `run` sends it: in the gateway, the ledger's writer thread (createQueuedApprovalStore over
// the worker's `store`), in order with everything else sent there; over a bare connection
// (createSqliteApprovalStore), on the caller's thread. A decision is one UPDATE … WHERE status =
// 'pending' AND not expired AND this key, RETURNING the row: SQLite runs it atomically, so a
// reused approval matches nothing. propose() resolves once the records are committed, so the client
// never sees an approval request the store does not hold; its failure fails the request, as before.
// Nothing here is retried: a decision run twice would read as "reused".
import type { Sqlite } from '../db/open.js';
import { APPROVAL_KEEP_MS, APPROVAL_PRUNE_EVERY_MS, refusalFor, type ApprovalRow, type ApprovalStore } from './approvals.js';
import { prepareStoreOps, type ApprovalDbRow, type StoreRun } from '../db/responses-sql.js';

export function approvalFromRow(r: ApprovalDbRow): ApprovalRow {
  return {
    id: r.id,
    keyId: r.key_id,
    requestId: r.request_id,
    serverLabel: r.server_label,
    name: r.name,
    arguments: r.arguments,
    callId: r.call_id,
    ts: Number(r.ts),
    expiresAt: Number(r.expires_at),
    status: r.status,
  };
}

/** Over this connection, on the caller's thread (':memory:' databases and tests). */
export function createSqliteApprovalStore(db: Sqlite, clock: () => number = Date.now): ApprovalStore {
  return createQueuedApprovalStore(prepareStoreOps(db), clock);
}

export function createQueuedApprovalStore(run: StoreRun, clock: () => number = Date.now): ApprovalStore {
  let prunedAt = 0;
  return {
    async propose(records) {
      const now = clock();
      let pruneBefore: number | null = null;
      if (now - prunedAt >= APPROVAL_PRUNE_EVERY_MS) {
        prunedAt = now;
        pruneBefore = now - APPROVAL_KEEP_MS;
      }
      await run({ fn: 'approvals.propose', records: [...records], pruneBefore });
    },
    async get(id, keyId) {
      const row = await run({ fn: 'approvals.get', id });
      return row && row.key_id === keyId ? approvalFromRow(row) : undefined;
    },
    async decide(id, keyId, approve, now, requestId) {
      const { won, row } = await run({ fn: 'approvals.decide', id, keyId, now, requestId, status: approve ? 'approved' : 'denied' });
      if (won) return { ok: true, record: approvalFromRow(won) };
      const record = row ? approvalFromRow(row) : undefined;
      const reason = refusalFor(record, keyId, now);
      return reason === 'approval_other_key' || !record ? { ok: false, reason } : { ok: false, reason, record };
    },
  };
}

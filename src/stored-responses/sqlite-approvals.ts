// The SQLite ApprovalStore (src/stored-responses/approvals.ts): prepared statements on the gateway's
// connection. A decision is one UPDATE … WHERE status = 'pending' AND not expired AND this key,
// RETURNING the row: SQLite runs it atomically, so a reused approval matches nothing.
import type { Sqlite } from '../db/open.js';
import {
  APPROVAL_KEEP_MS,
  APPROVAL_PRUNE_EVERY_MS,
  refusalFor,
  type ApprovalRecord,
  type ApprovalRow,
  type ApprovalStore,
} from './approvals.js';

interface Row {
  id: string;
  key_id: string | null;
  request_id: string;
  server_label: string;
  name: string;
  arguments: string;
  call_id: string;
  ts: number;
  expires_at: number;
  status: string;
}

export function approvalFromRow(r: Row): ApprovalRow {
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

export function createSqliteApprovalStore(db: Sqlite, clock: () => number = Date.now): ApprovalStore {
  const insert = db.prepare(
    `INSERT INTO mcp_approvals (id, key_id, request_id, server_label, name, arguments, call_id, ts, expires_at, status)
     VALUES (@id, @keyId, @requestId, @serverLabel, @name, @arguments, @callId, @ts, @expiresAt, 'pending')`,
  );
  const select = db.prepare('SELECT * FROM mcp_approvals WHERE id = ?');
  const decide = db.prepare(
    `UPDATE mcp_approvals SET status = @status, decided_at = @now, decided_in = @requestId
     WHERE id = @id AND key_id IS @keyId AND status = 'pending' AND expires_at > @now RETURNING *`,
  );
  const prune = db.prepare('DELETE FROM mcp_approvals WHERE expires_at < ?');
  const proposeAll = db.transaction((records: readonly ApprovalRecord[]) => {
    for (const r of records) insert.run(r);
  });
  let prunedAt = 0;
  return {
    async propose(records) {
      const now = clock();
      if (now - prunedAt >= APPROVAL_PRUNE_EVERY_MS) {
        prunedAt = now;
        prune.run(now - APPROVAL_KEEP_MS);
      }
      proposeAll(records);
    },
    async get(id, keyId) {
      const row = select.get(id) as Row | undefined;
      return row && row.key_id === keyId ? approvalFromRow(row) : undefined;
    },
    async decide(id, keyId, approve, now, requestId) {
      const won = decide.get({ id, keyId, now, requestId, status: approve ? 'approved' : 'denied' }) as Row | undefined;
      if (won) return { ok: true, record: approvalFromRow(won) };
      const row = select.get(id) as Row | undefined;
      const record = row ? approvalFromRow(row) : undefined;
      const reason = refusalFor(record, keyId, now);
      return reason === 'approval_other_key' || !record ? { ok: false, reason } : { ok: false, reason, record };
    },
  };
}

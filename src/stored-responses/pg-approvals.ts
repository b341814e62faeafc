// The PostgreSQL ApprovalStore: the same conditional UPDATE as SQLite's, so replicas sharing the
// database race on one row and exactly one of them wins a decision.
import type pg from 'pg';
import { approvalFromRow } from './sqlite-approvals.js';
import { APPROVAL_KEEP_MS, APPROVAL_PRUNE_EVERY_MS, refusalFor, type ApprovalStore } from './approvals.js';

export function createPgApprovalStore(pool: pg.Pool): ApprovalStore {
  let prunedAt = 0;
  return {
    async propose(records) {
      const now = Date.now();
      if (now - prunedAt >= APPROVAL_PRUNE_EVERY_MS) {
        prunedAt = now;
        await pool.query('DELETE FROM mcp_approvals WHERE expires_at < $1', [now - APPROVAL_KEEP_MS]);
      }
      for (const r of records)
        await pool.query(
          `INSERT INTO mcp_approvals (id, key_id, request_id, server_label, name, arguments, call_id, ts, expires_at, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')`,
          [r.id, r.keyId, r.requestId, r.serverLabel, r.name, r.arguments, r.callId, r.ts, r.expiresAt],
        );
    },
    async get(id, keyId) {
      const { rows } = await pool.query('SELECT * FROM mcp_approvals WHERE id = $1', [id]);
      const row = rows[0] ? approvalFromRow(rows[0]) : undefined;
      return row && row.keyId === keyId ? row : undefined;
    },
    async decide(id, keyId, approve, now, requestId) {
      const won = await pool.query(
        `UPDATE mcp_approvals SET status = $1, decided_at = $2, decided_in = $3
         WHERE id = $4 AND key_id IS NOT DISTINCT FROM $5 AND status = 'pending' AND expires_at > $2 RETURNING *`,
        [approve ? 'approved' : 'denied', now, requestId, id, keyId],
      );
      if (won.rows[0]) return { ok: true, record: approvalFromRow(won.rows[0]) };
      const { rows } = await pool.query('SELECT * FROM mcp_approvals WHERE id = $1', [id]);
      const record = rows[0] ? approvalFromRow(rows[0]) : undefined;
      const reason = refusalFor(record, keyId, now);
      return reason === 'approval_other_key' || !record ? { ok: false, reason } : { ok: false, reason, record };
    },
  };
}

// Approvals for hosted MCP calls, bound to the exact call and used once. A response that proposes
// a call needing approval stores it (key, server, tool, arguments, the model's call id) and shows
// the client an mcp_approval_request; only an mcp_approval_response from the same key, before it
// expires, naming that request, decides it — once. The decision is one conditional UPDATE
// (`status = 'pending'` and not expired, for this key), so concurrent requests and replicas
// sharing PostgreSQL cannot both run it. Whatever fails that test runs nothing.
import type { ApprovalInsert } from '../db/responses-sql.js';

/** One proposed call: the row the database keeps (its fields are described in src/db/responses-sql.ts). */
export type ApprovalRecord = ApprovalInsert;

/** Why an approval response ran nothing (the ledger's tool_calls.reason). */
export type ApprovalRefusal = 'approval_unknown' | 'approval_other_key' | 'approval_expired' | 'approval_reused';

export type Decision = { ok: true; record: ApprovalRecord } | { ok: false; reason: ApprovalRefusal; record?: ApprovalRecord };

export interface ApprovalStore {
  propose(records: readonly ApprovalRecord[]): Promise<void>;
  /** The record, for this key only (to compare an echoed request item before deciding). */
  get(id: string, keyId: string | null): Promise<ApprovalRecord | undefined>;
  /** Decides a pending approval once: approved or denied; anything else is a refusal. */
  decide(id: string, keyId: string | null, approve: boolean, now: number, requestId: string): Promise<Decision>;
}

/**
 * Rows stay a day past their expiry (so a late approval still says "expired", not "unknown"), then
 * go: proposing prunes at most once per interval, so the table stays bounded without a timer.
 */
export const APPROVAL_KEEP_MS = 24 * 60 * 60 * 1000;
export const APPROVAL_PRUNE_EVERY_MS = 10 * 60 * 1000;

/** The row as read back, for explaining a refusal. */
export interface ApprovalRow extends ApprovalRecord {
  status: string;
}

/** Why a decision's conditional update matched nothing. */
export function refusalFor(row: ApprovalRow | undefined, keyId: string | null, now: number): ApprovalRefusal {
  if (!row) return 'approval_unknown';
  if (row.keyId !== keyId) return 'approval_other_key';
  if (row.status !== 'pending') return 'approval_reused';
  if (row.expiresAt <= now) return 'approval_expired';
  return 'approval_reused';
}

export function createMemoryApprovalStore(): ApprovalStore {
  const rows = new Map<string, ApprovalRow>();
  return {
    async propose(records) {
      for (const r of records) rows.set(r.id, { ...r, status: 'pending' });
    },
    async get(id, keyId) {
      const row = rows.get(id);
      return row && row.keyId === keyId ? row : undefined;
    },
    async decide(id, keyId, approve, now) {
      const row = rows.get(id);
      if (row && row.keyId === keyId && row.status === 'pending' && row.expiresAt > now) {
        row.status = approve ? 'approved' : 'denied';
        return { ok: true, record: row };
      }
      const reason = refusalFor(row, keyId, now);
      return reason === 'approval_other_key' || !row ? { ok: false, reason } : { ok: false, reason, record: row };
    },
  };
}

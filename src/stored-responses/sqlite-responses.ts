// The SQLite ResponseStore (response-store.ts): prepared statements on the gateway's connection.
// Writes are taken off the request: put() holds the row in memory (reads see it at once) and the
// rows of one event-loop turn are written together on the next, in one transaction that also trims
// each key written to its newest maxPerKey rows; expired rows are deleted at most once per
// interval. A row not yet written when the process dies is lost, as a crash loses any answer.
import type { Sqlite } from '../db/open.js';
import {
  entryFromRow,
  RESPONSE_PRUNE_EVERY_MS,
  rowOf,
  type ResponseRetention,
  type ResponseRow,
  type ResponseStore,
} from './response-store.js';

interface PendingRow extends ResponseRow {
  keyId: string | null;
  ts: number;
  expiresAt: number;
}

export function createSqliteResponseStore(db: Sqlite, retention: ResponseRetention, clock: () => number = Date.now): ResponseStore {
  const insert = db.prepare(
    `INSERT OR REPLACE INTO stored_responses (id, key_id, provider, response, messages, ts, expires_at)
     VALUES (@id, @keyId, @provider, @response, @messages, @ts, @expiresAt)`,
  );
  const select = db.prepare('SELECT * FROM stored_responses WHERE id = ? AND key_id IS ? AND expires_at > ?');
  const remove = db.prepare('DELETE FROM stored_responses WHERE id = ? AND key_id IS ? AND expires_at > ?');
  const trim = db.prepare(
    `DELETE FROM stored_responses WHERE key_id IS @keyId AND ts <= (
       SELECT ts FROM stored_responses WHERE key_id IS @keyId ORDER BY ts DESC LIMIT 1 OFFSET @keep)`,
  );
  const prune = db.prepare('DELETE FROM stored_responses WHERE expires_at <= ?');
  const writeAll = db.transaction((rows: readonly PendingRow[]) => {
    const keys = new Set<string | null>();
    for (const row of rows) {
      insert.run({
        id: row.id,
        keyId: row.keyId,
        provider: row.provider,
        response: row.response,
        messages: row.messages,
        ts: row.ts,
        expiresAt: row.expiresAt,
      });
      keys.add(row.keyId);
    }
    for (const keyId of keys) trim.run({ keyId, keep: retention.maxPerKey });
  });
  const pending = new Map<string, PendingRow>();
  let scheduled = false;
  let prunedAt = 0;
  // Row order for the per-key trim: strictly increasing here, so rows written in the same
  // millisecond are not ties (a tie at the cut would take more than the oldest).
  let lastTs = 0;
  const stamp = (now: number) => (lastTs = Math.max(now, lastTs + 1));
  const flush = () => {
    scheduled = false;
    const rows = [...pending.values()];
    pending.clear();
    try {
      const now = clock();
      if (now - prunedAt >= RESPONSE_PRUNE_EVERY_MS) {
        prunedAt = now;
        prune.run(now);
      }
      writeAll(rows);
    } catch {
      // The database closed (shutdown) or failed: these responses are not kept, as if never stored.
    }
  };
  return {
    async get(id, keyId) {
      const now = clock();
      const held = pending.get(id);
      if (held) return held.keyId === keyId && held.expiresAt > now ? entryFromRow(held) : undefined;
      const row = select.get(id, keyId, now) as ResponseRow | undefined;
      return row ? entryFromRow(row) : undefined;
    },
    async put(entry) {
      const now = clock();
      pending.set(entry.id, {
        id: entry.id,
        key_id: entry.keyId,
        keyId: entry.keyId,
        ...rowOf(entry),
        ts: stamp(now),
        expiresAt: now + retention.ttlMs,
      });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    async delete(id, keyId) {
      const held = pending.get(id);
      const wasHeld = held !== undefined && held.keyId === keyId && held.expiresAt > clock();
      if (wasHeld) pending.delete(id);
      return remove.run(id, keyId, clock()).changes > 0 || wasHeld;
    },
  };
}

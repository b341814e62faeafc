// The SQLite ResponseStore (response-store.ts): prepared statements on the gateway's connection.
// A write also trims the key to its newest maxPerKey rows (one DELETE that walks the key's index)
// and, at most once per interval, deletes expired rows.
import type { Sqlite } from '../db/open.js';
import {
  entryFromRow,
  RESPONSE_PRUNE_EVERY_MS,
  rowOf,
  type ResponseRetention,
  type ResponseRow,
  type ResponseStore,
} from './response-store.js';

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
  const write = db.transaction((row: Record<string, unknown>) => {
    insert.run(row);
    trim.run({ keyId: row.keyId, keep: retention.maxPerKey });
  });
  let prunedAt = 0;
  return {
    async get(id, keyId) {
      const row = select.get(id, keyId, clock()) as ResponseRow | undefined;
      return row ? entryFromRow(row) : undefined;
    },
    async put(entry) {
      const now = clock();
      if (now - prunedAt >= RESPONSE_PRUNE_EVERY_MS) {
        prunedAt = now;
        prune.run(now);
      }
      write({ id: entry.id, keyId: entry.keyId, ...rowOf(entry), ts: now, expiresAt: now + retention.ttlMs });
    },
    async delete(id, keyId) {
      return remove.run(id, keyId, clock()).changes > 0;
    },
  };
}

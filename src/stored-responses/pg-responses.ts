// The PostgreSQL ResponseStore (response-store.ts): what one replica stores, every replica finds.
// Key filters are `key_id = $n` (or IS NULL for keyless requests) so the (key_id, ts) index serves them.
import type pg from 'pg';
import {
  clashError,
  entryFromRow,
  itemNeedle,
  RESPONSE_PRUNE_EVERY_MS,
  rowOf,
  shownIdOf,
  shownItemOf,
  type ResponseRetention,
  type ResponseRow,
  responseClashError,
  type ResponseStore,
} from './response-store.js';

const byKey = (keyId: string | null, n: number) => (keyId === null ? 'key_id IS NULL' : `key_id = $${n}`);

export function createPgResponseStore(pool: pg.Pool, retention: ResponseRetention, clock: () => number = Date.now): ResponseStore {
  let prunedAt = 0;
  let containersPrunedAt = 0;
  // Row order for the per-key trim: strictly increasing here, so rows written in the same
  // millisecond are not ties (a tie at the cut would take more than the oldest).
  let lastTs = 0;
  const stamp = (now: number) => (lastTs = Math.max(now, lastTs + 1));
  return {
    async get(id, keyId) {
      const { rows } = await pool.query<ResponseRow>(
        `SELECT id, key_id, provider, response, messages FROM stored_responses WHERE id = $1 AND expires_at > $2 AND ${byKey(keyId, 3)}`,
        keyId === null ? [id, clock()] : [id, clock(), keyId],
      );
      return rows[0] ? entryFromRow(rows[0]) : undefined;
    },
    async ownsItem(itemId, keyId) {
      return (await this.shownItem(itemId, keyId)) !== undefined;
    },
    async shownItem(itemId, keyId) {
      const { rows } = await pool.query<{ response: string | null }>(
        `SELECT response FROM stored_responses WHERE provider IS NOT NULL AND expires_at > $1 AND strpos(messages, $2) > 0 AND ${byKey(keyId, 3)} LIMIT 1`,
        keyId === null ? [clock(), itemNeedle(itemId)] : [clock(), itemNeedle(itemId), keyId],
      );
      return rows[0] ? shownItemOf(rows[0].response, itemId) : undefined;
    },
    async showIds(kind, ids, keyId, tokens) {
      if (ids.length === 0) return;
      const now = clock();
      if (now - containersPrunedAt >= RESPONSE_PRUNE_EVERY_MS) {
        containersPrunedAt = now;
        await pool.query('DELETE FROM shown_containers WHERE expires_at <= $1', [now]);
      }
      const clashed: string[] = [];
      // The first key shown an id keeps it: another key's (or kind's) write changes nothing until its row expires.
      for (const id of ids) {
        const res = await pool.query(
          `INSERT INTO shown_containers (id, kind, key_id, ts, expires_at, tokens) VALUES ($1, $2, $3, $4, $5, $7)
           ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, key_id = EXCLUDED.key_id, ts = EXCLUDED.ts, expires_at = EXCLUDED.expires_at, tokens = EXCLUDED.tokens
           WHERE (shown_containers.key_id IS NOT DISTINCT FROM EXCLUDED.key_id AND shown_containers.kind = EXCLUDED.kind)
             OR shown_containers.expires_at <= $6`,
          [id, kind, keyId, stamp(now), now + retention.ttlMs, now, tokens ?? null],
        );
        if (res.rowCount === 0) clashed.push(id);
      }
      const key = keyId === null ? [] : [keyId];
      await pool.query(
        `DELETE FROM shown_containers WHERE ${byKey(keyId, 2)} AND kind = $1 AND ts <= (
           SELECT ts FROM shown_containers WHERE ${byKey(keyId, 2)} AND kind = $1 ORDER BY ts DESC LIMIT 1 OFFSET $${key.length + 2})`,
        [kind, ...key, retention.maxPerKey],
      );
      if (clashed.length) throw clashError(kind, clashed);
    },
    async ownsShown(kind, id, keyId) {
      const { rows } = await pool.query<{ tokens: number | null }>(
        `SELECT tokens FROM shown_containers WHERE id = $1 AND kind = $2 AND expires_at > $3 AND ${byKey(keyId, 4)}`,
        keyId === null ? [id, kind, clock()] : [id, kind, clock(), keyId],
      );
      return rows[0] ? shownIdOf(rows[0].tokens) : undefined;
    },
    async put(entry) {
      const now = clock();
      if (now - prunedAt >= RESPONSE_PRUNE_EVERY_MS) {
        prunedAt = now;
        await pool.query('DELETE FROM stored_responses WHERE expires_at <= $1', [now]);
      }
      const row = rowOf(entry);
      // The first key keeps an id: another key's write of it changes nothing until its row expires.
      const res = await pool.query(
        `INSERT INTO stored_responses (id, key_id, provider, response, messages, ts, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET key_id = EXCLUDED.key_id, provider = EXCLUDED.provider, response = EXCLUDED.response,
           messages = EXCLUDED.messages, ts = EXCLUDED.ts, expires_at = EXCLUDED.expires_at
         WHERE stored_responses.key_id IS NOT DISTINCT FROM EXCLUDED.key_id OR stored_responses.expires_at <= $8`,
        [entry.id, entry.keyId, row.provider, row.response, row.messages, stamp(now), now + retention.ttlMs, now],
      );
      if (res.rowCount === 0) throw responseClashError([entry.id]);
      const key = entry.keyId === null ? [] : [entry.keyId];
      const n = key.length + 1;
      await pool.query(
        `DELETE FROM stored_responses WHERE ${byKey(entry.keyId, 1)} AND ts <= (
           SELECT ts FROM stored_responses WHERE ${byKey(entry.keyId, 1)} ORDER BY ts DESC LIMIT 1 OFFSET $${n})`,
        [...key, retention.maxPerKey],
      );
    },
    async heldByOther(id, keyId) {
      const { rows } = await pool.query('SELECT 1 FROM stored_responses WHERE id = $1 AND expires_at > $2 AND key_id IS DISTINCT FROM $3', [
        id,
        clock(),
        keyId,
      ]);
      return rows.length > 0;
    },
    async delete(id, keyId) {
      const res = await pool.query(
        `DELETE FROM stored_responses WHERE id = $1 AND expires_at > $2 AND ${byKey(keyId, 3)}`,
        keyId === null ? [id, clock()] : [id, clock(), keyId],
      );
      return (res.rowCount ?? 0) > 0;
    },
  };
}

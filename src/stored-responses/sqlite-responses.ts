// The SQLite ResponseStore (response-store.ts). Its SQL (src/db/responses-sql.ts) runs where `run` sends
// it: in the gateway, the ledger's writer thread (createQueuedResponseStore over the worker's
// `store`), so the event loop pays for no insert, trim, prune or select; over a bare connection
// (createSqliteResponseStore), on the caller's thread.
// Writes are taken off the request: put() holds the row in memory (reads see it at once) and the
// rows of one event-loop turn go out together on the next, in one transaction that also trims each
// key written to its newest maxPerKey rows; expired rows are deleted at most once per interval.
// Read-your-writes: a row is held here until its write is handed to `run`; every later read or
// delete is handed to the same `run` after it, and the writer thread takes its messages in order,
// so a follow-up naming a response just completed finds it whether or not its COMMIT has happened.
// Until that write is done, reads are answered from the row here (a follow-up need not wait behind
// a ledger batch in the writer thread), unless its batch holds more than maxPerKey rows of its key:
// the trim in the same transaction may delete it, so those are read where the trim runs.
// A write that fails is retried once when the failure is transient (the writer thread was replaced,
// the database busy), then reported through onError, as the ledger reports its own; the response it
// held is then "not found", as if never stored. flush() (shutdown) hands over and waits for all.
// An id another key's unexpired response has stays that key's (put refuses one held here; the
// write's upsert one in the database, and the ids it did not write are reported through onError):
// until that write, the later key reads its own held row under the id, the first key its own.
// The ids a key was shown (containers, audio) are written at once, not batched (they are rare): a later read
// is handed to `run` after the write, so it sees it.
import type { Sqlite } from '../db/open.js';
import { isDataError } from '../ledger/write-errors.js';
import {
  clashError,
  entryFromRow,
  itemNeedle,
  RESPONSE_PRUNE_EVERY_MS,
  rowShowsItem,
  rowOf,
  shownIdOf,
  shownItemOf,
  type ResponseRetention,
  type ResponseRow,
  responseClashError,
  type ResponseStore,
} from './response-store.js';
import { prepareStoreOps, type ResponseWriteRow, type StoreRun } from '../db/responses-sql.js';

interface PendingRow extends ResponseRow, ResponseWriteRow {}

export interface QueuedResponseStore extends ResponseStore {
  /** Hands over the rows held and waits until every write handed over is done (or reported). */
  flush(): Promise<void>;
}

export class StoredResponseWriteError extends Error {
  override name = 'StoredResponseWriteError';
}

/** Over this connection, on the caller's thread (':memory:' databases and tests). */
export function createSqliteResponseStore(db: Sqlite, retention: ResponseRetention, clock: () => number = Date.now): QueuedResponseStore {
  return createQueuedResponseStore(prepareStoreOps(db), retention, clock);
}

// Retried once: what failed for a transient reason (no SQLite data-error code) is likely to pass on
// the replaced worker; a second failure is reported. Reads and this store's writes are idempotent.
async function retryOnce<T>(attempt: () => T | Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (isDataError(err)) throw err;
    return await attempt();
  }
}

export function createQueuedResponseStore(
  run: StoreRun,
  retention: ResponseRetention,
  clock: () => number = Date.now,
  onError: (err: Error) => void = (err) => console.error(err),
): QueuedResponseStore {
  const pending = new Map<string, PendingRow>();
  /** Handed over, not yet written: rows the write's own trim cannot delete (see the top). */
  const flying = new Map<string, PendingRow>();
  const writing = new Set<Promise<void>>();
  let scheduled = false;
  let prunedAt = 0;
  let containersPrunedAt = 0;
  // Row order for the per-key trim: strictly increasing here, so rows written in the same
  // millisecond are not ties (a tie at the cut would take more than the oldest).
  let lastTs = 0;
  const stamp = (now: number) => (lastTs = Math.max(now, lastTs + 1));

  const write = async (rows: PendingRow[], pruneBefore: number | null): Promise<void> => {
    const perKey = new Map<string | null, number>();
    for (const r of rows) perKey.set(r.keyId, (perKey.get(r.keyId) ?? 0) + 1);
    for (const r of rows) if (perKey.get(r.keyId)! <= retention.maxPerKey) flying.set(r.id, r);
    try {
      const clashed = await retryOnce(() => run({ fn: 'responses.write', rows, keep: retention.maxPerKey, pruneBefore, now: clock() }));
      if (clashed.length) onError(responseClashError(clashed));
    } catch (err) {
      const ids = rows.map((r) => r.id).join(', ');
      onError(
        new StoredResponseWriteError(
          `stored responses: ${rows.length} not stored (${ids}); they will read as not found: ${(err as Error).message}`,
          {
            cause: err,
          },
        ),
      );
    } finally {
      for (const r of rows) if (flying.get(r.id) === r) flying.delete(r.id);
    }
  };
  const flush = (): void => {
    scheduled = false;
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending.clear();
    const now = clock();
    let pruneBefore: number | null = null;
    if (now - prunedAt >= RESPONSE_PRUNE_EVERY_MS) {
      prunedAt = now;
      pruneBefore = now;
    }
    const done = write(rows, pruneBefore);
    writing.add(done);
    void done.finally(() => writing.delete(done));
  };
  return {
    async get(id, keyId) {
      const now = clock();
      const held = pending.get(id) ?? flying.get(id);
      // Another key's held row is not this key's, whatever the database says (an id clash: put).
      if (held?.keyId === keyId) return held.expiresAt > now ? entryFromRow(held) : undefined;
      const row = await retryOnce(() => run({ fn: 'responses.get', id, keyId, now }));
      return row ? entryFromRow(row) : undefined;
    },
    async ownsItem(itemId, keyId) {
      return (await this.shownItem(itemId, keyId)) !== undefined;
    },
    async heldByOther(id, keyId) {
      const now = clock();
      const held = pending.get(id) ?? flying.get(id);
      if (held && held.keyId !== keyId && held.expiresAt > now) return true;
      return await retryOnce(() => run({ fn: 'responses.heldByOther', id, keyId, now }));
    },
    async shownItem(itemId, keyId) {
      const now = clock();
      for (const held of [pending, flying])
        for (const row of held.values()) if (rowShowsItem(row, itemId, keyId, now)) return shownItemOf(row.response, itemId);
      const row = await retryOnce(() => run({ fn: 'responses.shownItem', needle: itemNeedle(itemId), keyId, now }));
      return row ? shownItemOf(row.response, itemId) : undefined;
    },
    async showIds(kind, ids, keyId, tokens) {
      if (ids.length === 0) return;
      const now = clock();
      const ts = stamp(now);
      lastTs += ids.length - 1;
      let pruneBefore: number | null = null;
      if (now - containersPrunedAt >= RESPONSE_PRUNE_EVERY_MS) containersPrunedAt = pruneBefore = now;
      const call = {
        kind,
        ids: [...ids],
        keyId,
        ts,
        expiresAt: now + retention.ttlMs,
        keep: retention.maxPerKey,
        pruneBefore,
        now,
        tokens: tokens ?? null,
      };
      const clashed = await retryOnce(() => run({ fn: 'containers.show', ...call }));
      if (clashed.length) throw clashError(kind, clashed);
    },
    async ownsShown(kind, id, keyId) {
      const now = clock();
      const row = await retryOnce(() => run({ fn: 'containers.owns', kind, id, keyId, now }));
      return row ? shownIdOf(row.tokens) : undefined;
    },
    async put(entry) {
      const now = clock();
      // Another key's response held here keeps its id (the database keeps one it has: the write's upsert).
      const held = pending.get(entry.id) ?? flying.get(entry.id);
      if (held && held.keyId !== entry.keyId && held.expiresAt > now) throw responseClashError([entry.id]);
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
      const now = clock();
      const held = pending.get(id);
      const wasHeld = held !== undefined && held.keyId === keyId && held.expiresAt > now;
      if (wasHeld) pending.delete(id);
      // In flight: the delete below runs after its write; until then reads must not find it here.
      if (flying.get(id)?.keyId === keyId) flying.delete(id);
      return (await retryOnce(() => run({ fn: 'responses.delete', id, keyId, now }))) || wasHeld;
    },
    async flush() {
      flush();
      while (writing.size > 0) await Promise.all(writing);
    },
  };
}

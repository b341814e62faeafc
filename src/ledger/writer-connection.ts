// The ledger writer thread's own SQLite connection (sqlite-worker.ts), apart from the worker so a
// test can open it without starting a thread.
import { openSqlite, type Sqlite } from '../db/open-sqlite.js';

// better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLITE_DEFAULT_CACHE_SIZE
// =-16000; SQLite's own default is 2 MB). The writer only appends, and its cache fills to its limit
// under load: it was the largest part of the gateway's memory outside the V8 heap (heaptrack on the
// bench's soak; issue 20, bench/README.md "Memory"). New rows land on the last pages of each table
// and index (time-ordered ids, request-id.ts) and on one page per key of the per-key indexes, so a
// batch touches a few hundred pages: 2 MB holds them (no spill into the WAL mid-transaction). On a
// 1M-row ledger (bench/ledger-writer.ts --cache-kib) the writer's CPU per request was the same at
// 2 MB as at 4 MB (32.2 vs 34.5 µs, 36.9 vs 36.9 µs), and 1 MB cost 10-20% more; 16 → 4 MB cost
// ~8% on a 100k-row ledger. 2 MB is ~2.5 MB less RSS than 4 MB.
export const WRITER_CACHE_KIB = 2000;

/** `cacheKib` is for bench/ledger-writer.ts, which compares sizes; the worker takes the default. */
export function openWriterConnection(path: string, cacheKib: number = WRITER_CACHE_KIB): Sqlite {
  const sqlite = openSqlite(path);
  sqlite.pragma(`cache_size = -${cacheKib}`);
  return sqlite;
}

// The ledger writer thread's own SQLite connection (sqlite-worker.ts), apart from the worker so a
// test can open it without starting a thread.
import { openSqlite, type Sqlite } from '../db/open-sqlite.js';

// better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLITE_DEFAULT_CACHE_SIZE
// =-16000; SQLite's own default is 2 MB). The writer only appends, and its cache filled to ~17 MB of
// malloc under load, the largest part of the gateway's memory outside the V8 heap (heaptrack on
// the bench's soak; issue 20, bench/README.md "Memory"). 4 MB still holds a 500-row batch's dirty
// pages (no spill into the WAL mid-transaction); on a 100k-row ledger a batch cost ~8% more CPU
// (27.7 vs 25.7 ms per 500 items, in the writer thread) for 13 MB less RSS. A larger ledger's
// random-key indexes miss the 16 MB cache as well, so the gap closes as it grows.
export const WRITER_CACHE_KIB = 4000;

export function openWriterConnection(path: string): Sqlite {
  const sqlite = openSqlite(path);
  sqlite.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  return sqlite;
}

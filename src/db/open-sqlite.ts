// Opening a raw SQLite connection with the gateway's settings, without drizzle: the ledger's
// worker thread only runs prepared statements, and leaving drizzle out of its isolate takes its
// RSS from about 11 to 9 MB (bench/README.md, "Memory"). openDatabase() (open.ts) builds on it.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export type Sqlite = Database.Database;

const isMemory = (path: string): boolean => path === ':memory:' || path.startsWith('file::memory:');

/** Opens (creating the parent folder if needed) a SQLite file tuned for one writer process. */
export function openSqlite(path: string): Sqlite {
  let sqlite: Sqlite;
  try {
    const fresh = !isMemory(path) && !existsSync(path);
    // The ledger is private: a new folder and file are the gateway user's alone (an MCP server run
    // as another user cannot read them; SQLite gives the -wal and -shm files the same mode).
    if (!isMemory(path)) mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    sqlite = new Database(path);
    if (fresh) chmodSync(path, 0o600);
  } catch (err) {
    throw new Error(`cannot open the database at ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // WAL lets the dashboard and ad-hoc SQL read while the ledger writes; NORMAL is durable
    // across process crashes in WAL mode and avoids an fsync per transaction.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // Another process (a reporting script, the sqlite3 shell) may briefly hold the lock.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Touch the file so a non-database file fails here, with the path, not on the first query.
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    sqlite.close();
    throw new Error(`cannot open the database at ${path}: ${(err as Error).message}`, { cause: err });
  }
  return sqlite;
}

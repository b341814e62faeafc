// Opening and migrating the SQLite database. Nothing here runs at import: main.ts calls
// openDatabase() then migrateDatabase() at startup, tests do the same on temp files.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

export type Db = BetterSQLite3Database & { $client: Database.Database };
export type Sqlite = Database.Database;

export interface OpenedDatabase {
  /** drizzle, for the governance repository and ad-hoc typed queries. */
  db: Db;
  /** The raw connection, for the ledger's prepared statements (the hot path's back end). */
  sqlite: Sqlite;
  /** The path it was opened with (for messages). */
  path: string;
  close(): void;
}

const isMemory = (path: string): boolean => path === ':memory:' || path.startsWith('file::memory:');

/** Opens (creating the parent folder if needed) a SQLite file tuned for one writer process. */
export function openDatabase(path: string): OpenedDatabase {
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
  const db = drizzle(sqlite);
  return {
    db,
    sqlite,
    path,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * The repo's migrations/ folder. Found by walking up to the folder holding package.json, so it
 * works both from src/db/ (tsx) and from dist/src/db/ (compiled).
 */
export function migrationsFolder(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return join(dir, 'migrations');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the migrations folder above ${from}`);
    dir = parent;
  }
}

/** Applies every pending migration from migrations/ (idempotent). Takes the drizzle db or openDatabase()'s result. */
export function migrateDatabase(target: Db | OpenedDatabase, folder: string = migrationsFolder()): void {
  const db = 'sqlite' in target ? target.db : target;
  try {
    migrate(db, { migrationsFolder: folder });
  } catch (err) {
    throw new Error(`cannot migrate the database at ${db.$client.name}: ${(err as Error).message}`, { cause: err });
  }
}

// Opening and migrating the SQLite database. Nothing here runs at import: main.ts calls
// openDatabase() then migrateDatabase() at startup, tests do the same on temp files.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { openSqlite, type Sqlite } from './open-sqlite.js';

export type Db = BetterSQLite3Database & { $client: Database.Database };
export type { Sqlite } from './open-sqlite.js';

export interface OpenedDatabase {
  /** drizzle, for the governance repository and ad-hoc typed queries. */
  db: Db;
  /** The raw connection, for the ledger's prepared statements (the hot path's back end). */
  sqlite: Sqlite;
  /** The path it was opened with (for messages). */
  path: string;
  close(): void;
}

/** openSqlite() (the connection and its settings) with drizzle on top. */
export function openDatabase(path: string): OpenedDatabase {
  const sqlite = openSqlite(path);
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

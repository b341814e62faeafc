// Opening and migrating the PostgreSQL store (TOLLGATE_DB=postgres://…). Nothing connects at
// import. Several replicas may start at once, so migrations run under an advisory lock.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { migrationsFolder } from '../open.js';

export type PgDb = NodePgDatabase & { $client: pg.Pool };

export interface OpenedPg {
  db: PgDb;
  pool: pg.Pool;
  /** The URL without its password, for messages. */
  label: string;
  close(): Promise<void>;
}

// count(*), sum(int) and avg() come back as int8/numeric, which node-postgres returns as strings
// (they may exceed 2^53). Ledger figures stay far below that, and the SQL interface promises the
// same numbers as SQLite, so this pool parses them as JS numbers.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? (v: string) => (v === null ? null : Number(v))
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function redactPgUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<OpenedPg> {
  const label = redactPgUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process; the
  // next query gets a fresh connection or a clear error.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end();
    throw new Error(`cannot connect to PostgreSQL at ${label}: ${(err as Error).message}`, { cause: err });
  }
  const db = drizzle(pool) as PgDb;
  return { db, pool, label, close: () => pool.end() };
}

function pgMigrationsFolder(): string {
  return join(migrationsFolder(dirname(fileURLToPath(import.meta.url))), 'pg');
}

// Any constant shared by all replicas; "tollgate" in ASCII.
const MIGRATION_LOCK = 0x746f6c6c;

/** Applies pending migrations from migrations/pg/ (idempotent; one replica at a time). */
export async function migratePostgres(opened: OpenedPg, folder: string = pgMigrationsFolder()): Promise<void> {
  const client = await opened.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    throw new Error(`cannot migrate the database at ${opened.label}: ${(err as Error).message}`, { cause: err });
  } finally {
    client.release();
  }
}

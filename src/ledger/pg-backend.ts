// The ledger writer's PostgreSQL back end: each batch is one transaction of multi-row INSERTs (one
// statement per table, split only to stay under PostgreSQL's 65535 bind parameters). The pool
// does the I/O, so the event loop is never blocked; the writer's queue gives the back-pressure.
import type pg from 'pg';
import type { LedgerBackend } from './writer.js';
import type { LedgerItem } from './rows.js';
import { DEAD_LETTER_COLUMNS, LEDGER_COLUMNS, deadLetterParams, itemParams, type Params } from './statements.js';
import { trackUnsureCommits } from './unsure-commits.js';

type Table = LedgerItem['table'];
const TABLES: readonly Table[] = ['requests', 'llm_calls', 'tool_calls', 'payloads'];
const MAX_PARAMS = 65_535;

function insertSql(table: Table, rows: number): string {
  const cols = LEDGER_COLUMNS[table];
  const values: string[] = [];
  let p = 1;
  for (let r = 0; r < rows; r++) values.push(`(${cols.map(() => `$${p++}`).join(', ')})`);
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values.join(', ')}`;
}

// Statement text per (table, row count): batches are usually full, so this stays tiny.
const cache = new Map<string, string>();
function cachedSql(table: Table, rows: number): string {
  const k = `${table}:${rows}`;
  let s = cache.get(k);
  if (!s) {
    s = insertSql(table, rows);
    if (cache.size < 256) cache.set(k, s);
  }
  return s;
}

async function insertRows(client: pg.PoolClient, table: Table, rows: Params[]): Promise<void> {
  const perStatement = Math.floor(MAX_PARAMS / LEDGER_COLUMNS[table].length);
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await client.query(cachedSql(table, chunk.length), chunk.flat());
  }
}

export function createPgLedgerBackend(pool: pg.Pool): LedgerBackend {
  // A COMMIT that fails may have committed anyway (the reply lost with the connection): see unsure-commits.ts.
  const commits = trackUnsureCommits(async (ids) => {
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM requests WHERE id = ANY($1)', [ids]);
    return rows[0]!.n;
  });

  return {
    async writeBatch(batch) {
      const items = await commits.resolve(batch);
      if (!items.length) return;
      const byTable = new Map<Table, Params[]>(TABLES.map((t) => [t, []]));
      for (const item of items) byTable.get(item.table)!.push(itemParams(item));
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client has no pool listener: a connection reset mid-batch is emitted on the
      // client as well as failing the query, and unheard it would crash the process.
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      let committing = false;
      try {
        await client.query('BEGIN');
        for (const [table, rows] of byTable) if (rows.length) await insertRows(client, table, rows);
        committing = true;
        await client.query('COMMIT');
      } catch (err) {
        if (committing) commits.unsure(items);
        // A failed ROLLBACK means the connection itself is gone: drop it from the pool.
        await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async write(item) {
      await pool.query(cachedSql(item.table, 1), itemParams(item));
    },
    async writeDeadLetters(letters) {
      const cols = DEAD_LETTER_COLUMNS;
      let p = 1;
      const values = letters.map(() => `(${cols.map(() => `$${p++}`).join(', ')})`);
      await pool.query(
        `INSERT INTO ledger_dead_letters (${cols.join(', ')}) VALUES ${values.join(', ')}`,
        letters.flatMap(deadLetterParams),
      );
    },
  };
}

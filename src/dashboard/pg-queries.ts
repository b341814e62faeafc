// The dashboard's reads on PostgreSQL (TOLLGATE_DB=postgres://…): the SQL of request-queries.ts
// and usage-queries.ts with `?` numbered as $1…, run on the store's pool (which parses
// int8/numeric as JS numbers, so rows have the same shape as SQLite's). Only `pg` types are
// imported: nothing here loads the client.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  DETAIL_COLUMNS,
  LIST_COLUMNS,
  TERMS,
  type FilterTerm,
  type RequestDetailRow,
  type RequestFilters,
  type RequestListRow,
  type RequestQueries,
} from './request-queries.js';
import { USAGE_SQL, type UsageQueries } from './usage-queries.js';
import { composeDashboardQueries, type Awaitable, type DashboardQueries } from './queries.js';

/** `?` → `$1`, `$2`, … in order (the dashboard's SQL has no `?` inside literals). */
export function numberParams(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

// SQLite's prefix range (id >= p AND id < p || U+10FFFF) relies on binary ordering; under a
// linguistic collation that bound is not a prefix bound, so PostgreSQL asks starts_with().
const PG_TERMS: FilterTerm[] = TERMS.map((t) =>
  t.name === 'idPrefix' ? { name: t.name, sql: () => 'starts_with(id, ?)', params: (f: RequestFilters) => [f.idPrefix] } : t,
);

// Named statements are parsed once per connection; the name is the text's hash, so a name never
// meets two texts (node-postgres refuses that) whatever the filter shape.
function run<T>(pool: pg.Pool, text: string, values: unknown[]): Promise<T[]> {
  const name = `tollgate_dash_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  return pool.query({ name, text, values }).then((r) => r.rows as T[]);
}

function pgRequestQueries(pool: pg.Pool): Awaitable<RequestQueries> {
  const sqlFor = new Map<string, string>();
  const listSql = (shape: string) => {
    let sql = sqlFor.get(shape);
    if (sql === undefined) {
      sql = numberParams(`SELECT ${LIST_COLUMNS} FROM requests ${shape ? `WHERE ${shape}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`);
      sqlFor.set(shape, sql);
    }
    return sql;
  };
  const ids = async (sql: string) => (await run<{ id: string }>(pool, sql, [])).map((r) => r.id);
  return {
    list(filters, limit) {
      const terms = PG_TERMS.filter((t) => filters[t.name] !== undefined && filters[t.name] !== '');
      const shape = terms.map((t) => t.sql(filters)).join(' AND ');
      return run<RequestListRow>(pool, listSql(shape), [...terms.flatMap((t) => t.params(filters)), limit]);
    },
    request: async (id) => (await run<RequestDetailRow>(pool, `SELECT ${DETAIL_COLUMNS} FROM requests WHERE id = $1`, [id]))[0],
    llmCalls: (id) =>
      run(
        pool,
        `SELECT id, ts, round, attempt, provider, model, status, error_type, prompt_tokens, completion_tokens,
        cost_usd, cost_unknown, latency_ms FROM llm_calls WHERE request_id = $1 ORDER BY round, attempt, id LIMIT 1000`,
        [id],
      ),
    toolCalls: (id) =>
      run(
        pool,
        `SELECT id, ts, round, server, tool, name, args_hash, status, decision, reason, latency_ms, cost_usd, error
        FROM tool_calls WHERE request_id = $1 ORDER BY round, id LIMIT 1000`,
        [id],
      ),
    payloads: (id) => run(pool, 'SELECT id, kind, ref, body FROM payloads WHERE request_id = $1 ORDER BY id LIMIT 2000', [id]),
    keyIds: () => ids('SELECT id FROM virtual_keys ORDER BY id LIMIT 500'),
    teamIds: () => ids('SELECT id FROM teams ORDER BY id LIMIT 500'),
  };
}

function pgUsageQueries(pool: pg.Pool): Awaitable<UsageQueries> {
  const sql = Object.fromEntries(Object.entries(USAGE_SQL).map(([k, v]) => [k, numberParams(v)])) as typeof USAGE_SQL;
  return {
    byDay: (since) => run(pool, sql.byDay, [since]),
    byKey: (since) => run(pool, sql.byKey, [since]),
    byTeam: (since) => run(pool, sql.byTeam, [since]),
    byModel: (since) => run(pool, sql.byModel, [since]),
    byTool: (since) => run(pool, sql.byTool, [since]),
  };
}

export function createPgDashboardQueries(pool: pg.Pool): DashboardQueries {
  return composeDashboardQueries(pgRequestQueries(pool), pgUsageQueries(pool));
}

// Reads of the requests list and one request's trace, for the admin dashboard only (never the
// request path). Each distinct filter combination gets one prepared statement, built on first use
// and cached (at most 2^7 shapes), so every query keeps simple indexed terms — `key_id = ?` lets
// SQLite walk requests_key_ts_idx in ts order — instead of `(? IS NULL OR …)` terms that defeat
// the indexes. Every list is LIMITed.
import type { Statement } from 'better-sqlite3';
import type { Sqlite } from '../db/open.js';

export interface RequestFilters {
  key?: string | undefined;
  team?: string | undefined;
  model?: string | undefined;
  /** 'ok' (< 400), 'error' (>= 400) or an exact HTTP status. */
  status?: string | undefined;
  /** true: only requests that made tool calls; false: only those that made none. */
  hasTools?: boolean | undefined;
  /** Epoch ms, inclusive / exclusive. */
  from?: number | undefined;
  to?: number | undefined;
  /** Request id prefix. */
  idPrefix?: string | undefined;
  /** Keyset cursor: rows strictly older than (ts, id). */
  before?: { ts: number; id: string } | undefined;
}

export interface RequestListRow {
  id: string;
  ts: number;
  key_id: string | null;
  team_id: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  error_type: string | null;
  stream: number;
  rounds: number;
  tool_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
  cost_unknown: number;
  latency_ms: number;
  source: string;
}

export interface RequestDetailRow extends RequestListRow {
  customer_id: string | null;
  upstream_model: string | null;
  error_message: string | null;
  cached_tokens: number;
  surface: string;
  session_id: string | null;
  operation: string;
  warnings: string | null;
}

export interface LlmCallDetail {
  id: number;
  ts: number;
  round: number;
  attempt: number;
  provider: string;
  model: string;
  status: number;
  error_type: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
  cost_unknown: number;
  latency_ms: number;
}

export interface ToolCallDetail {
  id: number;
  ts: number;
  round: number | null;
  server: string;
  tool: string;
  name: string;
  args_hash: string | null;
  status: string;
  decision: string;
  reason: string | null;
  latency_ms: number | null;
  cost_usd: number | null;
  error: string | null;
}

export interface PayloadDetail {
  id: number;
  kind: string;
  ref: string | null;
  body: string;
}

export interface RequestQueries {
  list(filters: RequestFilters, limit: number): RequestListRow[];
  request(id: string): RequestDetailRow | undefined;
  llmCalls(id: string): LlmCallDetail[];
  toolCalls(id: string): ToolCallDetail[];
  payloads(id: string): PayloadDetail[];
  /** Known key and team ids, for the filter form's suggestions (small tables). */
  keyIds(): string[];
  teamIds(): string[];
}

export const LIST_COLUMNS = `id, ts, key_id, team_id, model, provider, status, error_type, stream, rounds, tool_calls,
  prompt_tokens, completion_tokens, cost_usd, cost_unknown, latency_ms, source`;

/** One request's page: the list's columns and the rest of its row. */
export const DETAIL_COLUMNS = `${LIST_COLUMNS}, customer_id, upstream_model, error_message, cached_tokens, surface, session_id,
  operation, warnings`;

// Each present filter adds one fixed SQL term; the shape (which filters are present) keys the cache.
// Exported for the PostgreSQL twin (pg-queries.ts), which numbers the `?`s as $n.
export interface FilterTerm {
  name: keyof RequestFilters;
  sql: (f: RequestFilters) => string;
  params: (f: RequestFilters) => unknown[];
}
export const TERMS: FilterTerm[] = [
  { name: 'key', sql: () => 'key_id = ?', params: (f) => [f.key] },
  { name: 'team', sql: () => 'team_id = ?', params: (f) => [f.team] },
  { name: 'model', sql: () => 'model = ?', params: (f) => [f.model] },
  {
    name: 'status',
    sql: (f) => (f.status === 'ok' ? 'status < 400' : f.status === 'error' ? 'status >= 400' : 'status = ?'),
    params: (f) => (f.status === 'ok' || f.status === 'error' ? [] : [Number(f.status)]),
  },
  { name: 'hasTools', sql: (f) => (f.hasTools ? 'tool_calls > 0' : 'tool_calls = 0'), params: () => [] },
  { name: 'from', sql: () => 'ts >= ?', params: (f) => [f.from] },
  { name: 'to', sql: () => 'ts < ?', params: (f) => [f.to] },
  // A range on the primary key answers a prefix search from its index.
  { name: 'idPrefix', sql: () => 'id >= ? AND id < ?', params: (f) => [f.idPrefix, `${f.idPrefix}\u{10FFFF}`] },
  { name: 'before', sql: () => '(ts < ? OR (ts = ? AND id < ?))', params: (f) => [f.before!.ts, f.before!.ts, f.before!.id] },
];

export function createRequestQueries(sqlite: Sqlite): RequestQueries {
  const cache = new Map<string, Statement<unknown[]>>();
  const present = (f: RequestFilters) => TERMS.filter((t) => f[t.name] !== undefined && f[t.name] !== '');
  const statementFor = (f: RequestFilters) => {
    const terms = present(f);
    const sql = terms.map((t) => t.sql(f));
    const shape = sql.join(' AND ');
    let stmt = cache.get(shape);
    if (!stmt) {
      stmt = sqlite.prepare<unknown[]>(
        `SELECT ${LIST_COLUMNS} FROM requests ${shape ? `WHERE ${shape}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`,
      );
      cache.set(shape, stmt);
    }
    return { stmt, params: terms.flatMap((t) => t.params(f)) };
  };

  const one = sqlite.prepare(`SELECT ${DETAIL_COLUMNS} FROM requests WHERE id = ?`);
  const llm = sqlite.prepare(`SELECT id, ts, round, attempt, provider, model, status, error_type, prompt_tokens, completion_tokens,
    cost_usd, cost_unknown, latency_ms FROM llm_calls WHERE request_id = ? ORDER BY round, attempt, id LIMIT 1000`);
  const tools = sqlite.prepare(`SELECT id, ts, round, server, tool, name, args_hash, status, decision, reason, latency_ms, cost_usd, error
    FROM tool_calls WHERE request_id = ? ORDER BY round, id LIMIT 1000`);
  const payloads = sqlite.prepare(`SELECT id, kind, ref, body FROM payloads WHERE request_id = ? ORDER BY id LIMIT 2000`);

  const keys = sqlite.prepare('SELECT id FROM virtual_keys ORDER BY id LIMIT 500').pluck();
  const teams = sqlite.prepare('SELECT id FROM teams ORDER BY id LIMIT 500').pluck();

  return {
    keyIds: () => keys.all() as string[],
    teamIds: () => teams.all() as string[],
    list(filters, limit) {
      const { stmt, params } = statementFor(filters);
      return stmt.all(...params, limit) as RequestListRow[];
    },
    request: (id) => one.get(id) as RequestDetailRow | undefined,
    llmCalls: (id) => llm.all(id) as LlmCallDetail[],
    toolCalls: (id) => tools.all(id) as ToolCallDetail[],
    payloads: (id) => payloads.all(id) as PayloadDetail[],
  };
}

// Startup-only queries that restore budget state from the ledger (never on the request path:
// budgets are tracked in memory once running). Spend = requests.cost_usd (which already holds
// that request's tool costs; an /mcp tools/call is a request too) + tool_calls.cost_usd of rows
// without a request (/mcp tool calls recorded before they had request rows).
// NULL (unknown) costs add nothing: they are flagged in the ledger, not guessed.
import type { Sqlite } from './open.js';

export type SpendScope = { keyId: string } | { teamId: string } | { customerId: string };
export type ScopeKind = 'key' | 'team' | 'customer';

// The restore reads every row of the period for each budgeted scope (cost_usd is not in the
// indexes), and the main thread's connection keeps better-sqlite3's 16 MB page cache: on a 1M-row
// ledger (150k rows this month) the cache filled to its limit at startup and stayed, 16 MB more
// malloc'd for the life of the gateway (RSS 126 vs 111 MB just after startup, [heap] 23.7 vs
// 7.6 MB with 256 KiB; issue 20, bench/README.md "Memory"). These queries run with SQLite's own
// default of 2 MB instead, then the connection's size is put back (reports and the dashboard use
// it). A month of a large ledger does not fit in 16 MB either; the restore (63 scopes there) took
// about 1.2-1.5x as long, once, at startup.
export const RESTORE_CACHE_KIB = 2000;

function withSmallCache<T>(sqlite: Sqlite, query: () => T): T {
  const size = sqlite.pragma('cache_size', { simple: true }) as number;
  sqlite.pragma(`cache_size = -${RESTORE_CACHE_KIB}`);
  try {
    return query();
  } finally {
    sqlite.pragma(`cache_size = ${size}`);
  }
}

// Column names come from this fixed map, never from input, so interpolating them is safe.
const column: Record<ScopeKind, string> = { key: 'key_id', team: 'team_id', customer: 'customer_id' };

function kindOf(scope: SpendScope): [ScopeKind, string] {
  if ('keyId' in scope) return ['key', scope.keyId];
  if ('teamId' in scope) return ['team', scope.teamId];
  return ['customer', scope.customerId];
}

/** USD spent by one key, team or customer since `sinceMs` (epoch ms, inclusive). */
export function spendSince(sqlite: Sqlite, scope: SpendScope, sinceMs: number): number {
  const [kind, id] = kindOf(scope);
  const col = column[kind];
  const statement = sqlite.prepare(
    `SELECT (SELECT coalesce(sum(cost_usd), 0) FROM requests WHERE ${col} = ? AND ts >= ?)
          + (SELECT coalesce(sum(cost_usd), 0) FROM tool_calls WHERE request_id IS NULL AND ${col} = ? AND ts >= ?) AS usd`,
  );
  const row = withSmallCache(sqlite, () => statement.get(id, sinceMs, id, sinceMs) as { usd: number });
  return row.usd;
}

/** USD spent since `sinceMs` by every key (or team, or customer) that spent anything, in one query. */
export function spendByScopeSince(sqlite: Sqlite, kind: ScopeKind, sinceMs: number): Map<string, number> {
  const col = column[kind];
  const statement = sqlite.prepare(
    `SELECT id, sum(usd) AS usd FROM (
       SELECT ${col} AS id, cost_usd AS usd FROM requests WHERE ts >= ? AND ${col} IS NOT NULL
       UNION ALL
       SELECT ${col} AS id, cost_usd AS usd FROM tool_calls WHERE ts >= ? AND request_id IS NULL AND ${col} IS NOT NULL
     ) GROUP BY id`,
  );
  const rows = withSmallCache(sqlite, () => statement.all(sinceMs, sinceMs) as { id: string; usd: number | null }[]);
  return new Map(rows.map((r) => [r.id, r.usd ?? 0]));
}

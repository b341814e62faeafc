// Startup-only queries that restore budget state from the ledger (never on the request path:
// budgets are tracked in memory once running). Spend = requests.cost_usd (which already holds
// that request's tool costs; an /mcp tools/call is a request too) + tool_calls.cost_usd of rows
// without a request (/mcp tool calls recorded before they had request rows).
// NULL (unknown) costs add nothing: they are flagged in the ledger, not guessed.
import type { Sqlite } from './open.js';

export type SpendScope = { keyId: string } | { teamId: string } | { customerId: string };
export type ScopeKind = 'key' | 'team' | 'customer';

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
  const row = sqlite
    .prepare(
      `SELECT (SELECT coalesce(sum(cost_usd), 0) FROM requests WHERE ${col} = ? AND ts >= ?)
            + (SELECT coalesce(sum(cost_usd), 0) FROM tool_calls WHERE request_id IS NULL AND ${col} = ? AND ts >= ?) AS usd`,
    )
    .get(id, sinceMs, id, sinceMs) as { usd: number };
  return row.usd;
}

/** USD spent since `sinceMs` by every key (or team, or customer) that spent anything, in one query. */
export function spendByScopeSince(sqlite: Sqlite, kind: ScopeKind, sinceMs: number): Map<string, number> {
  const col = column[kind];
  const rows = sqlite
    .prepare(
      `SELECT id, sum(usd) AS usd FROM (
         SELECT ${col} AS id, cost_usd AS usd FROM requests WHERE ts >= ? AND ${col} IS NOT NULL
         UNION ALL
         SELECT ${col} AS id, cost_usd AS usd FROM tool_calls WHERE ts >= ? AND request_id IS NULL AND ${col} IS NOT NULL
       ) GROUP BY id`,
    )
    .all(sinceMs, sinceMs) as { id: string; usd: number | null }[];
  return new Map(rows.map((r) => [r.id, r.usd ?? 0]));
}

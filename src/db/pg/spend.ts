// The startup budget restore's ledger query on PostgreSQL; same figures as src/db/spend.ts
// (requests.cost_usd, which holds the request's tool costs, plus tool calls without a request).
import type pg from 'pg';
import type { SpendScope } from '../spend.js';

// Column names come from this fixed map, never from input.
const column = { key: 'key_id', team: 'team_id', customer: 'customer_id' } as const;

export function createPgSpendQuery(pool: pg.Pool) {
  return async (scope: SpendScope, sinceMs: number): Promise<number> => {
    const [col, id] =
      'keyId' in scope ? [column.key, scope.keyId] : 'teamId' in scope ? [column.team, scope.teamId] : [column.customer, scope.customerId];
    const { rows } = await pool.query<{ usd: number }>(
      `SELECT (SELECT coalesce(sum(cost_usd), 0) FROM requests WHERE ${col} = $1 AND ts >= $2)
            + (SELECT coalesce(sum(cost_usd), 0) FROM tool_calls WHERE request_id IS NULL AND ${col} = $1 AND ts >= $2) AS usd`,
      [id, sinceMs],
    );
    return Number(rows[0]?.usd ?? 0);
  };
}

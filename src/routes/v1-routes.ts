// The POST /v1 routes that leave a requests row, and the surface each row is recorded under. One
// table for the two places that need it: the Node hot routes (node-hot-routes.ts: which handler
// answers a path, and in which error shape) and the 413's row (record-refused.ts), which answers
// before any handler runs. Before, each kept its own list, so a route added to one could be missed
// by the other and an over-limit body to it would leave no row.
import type { Surface } from '../chat/run-state.js';
import type { RequestOperation } from '../ledger/rows.js';

export interface V1Route {
  surface: Surface;
  /** Recorded as an operation of its surface rather than a call (requests.operation). */
  operation?: 'count_tokens';
  /** Answered straight from Node's listener (node-hot-routes.ts); the others only through Hono. */
  hot: boolean;
}

export const V1_ROUTES: ReadonlyMap<string, V1Route> = new Map<string, V1Route>([
  ['/v1/chat/completions', { surface: 'chat', hot: true }],
  ['/v1/messages', { surface: 'messages', hot: true }],
  ['/v1/messages/count_tokens', { surface: 'messages', operation: 'count_tokens', hot: false }],
  ['/v1/responses', { surface: 'responses', hot: true }],
]);

/** A stored response's id and what follows it (GET|DELETE /v1/responses/{id}, GET …/input_items). */
const STORED = /^\/v1\/responses\/[^/]+(\/input_items)?$/;

/** A POST to /mcp: its row is the mcp surface's, for a known key only (record-refused.ts). */
export const MCP_POST: { surface: Surface } = { surface: 'mcp' };

/**
 * The row a request to `method` `path` leaves, for a request answered before its route ran (503
 * while draining): a POST to V1_ROUTES or to /mcp (its tool calls are rows), and a stored
 * response's retrieval, listing or deletion (responses/stored.ts records those). Undefined for a
 * request that leaves no row.
 */
export function recordedRoute(method: string, path: string): { surface: Surface; operation?: RequestOperation } | undefined {
  if (method === 'POST') return path === '/mcp' ? MCP_POST : V1_ROUTES.get(path);
  const stored = STORED.exec(path);
  if (!stored) return undefined;
  if (method === 'GET') return { surface: 'responses', operation: stored[1] ? 'input_items' : 'retrieve' };
  return method === 'DELETE' && !stored[1] ? { surface: 'responses', operation: 'delete' } : undefined;
}

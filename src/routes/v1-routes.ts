// The POST /v1 routes that leave a requests row, and the surface each row is recorded under. One
// table for the two places that need it: the Node hot routes (node-hot-routes.ts: which handler
// answers a path, and in which error shape) and the 413's row (record-refused.ts), which answers
// before any handler runs. Before, each kept its own list, so a route added to one could be missed
// by the other and an over-limit body to it would leave no row.
import type { Surface } from '../chat/run-state.js';

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

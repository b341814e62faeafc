// The requests row of a request refused before its handler ran, which would otherwise leave none:
// a 413 on a recorded /v1 route (the body limit answers first: node-hot-routes.ts, body-limit.ts;
// without this an over-limit body left no row and the README's "every answered request is in the
// ledger" had a hole an attacker could use), and a Responses WebSocket message the connection
// refuses (malformed, too large, over the rate); a request answered 503 while the gateway drains
// (SIGTERM; the ledger is open until the last request has its answer); and a 404 under /v1 to a
// known key. Runs only on those error paths.
import { GatewayError } from '../errors.js';
import type { ChatDeps } from '../chat/handler.js';
import type { Access } from '../chat/ports.js';
import { recordRequest } from '../chat/record.js';
import { sessionIdFrom } from '../chat/session-id.js';
import type { HeaderSource } from '../governance/keys.js';
import { MCP_POST, recordedRoute, V1_ROUTES } from './v1-routes.js';
import { shuttingDown } from './error-response.js';
import type { Surface } from '../chat/run-state.js';
import type { RequestOperation } from '../ledger/rows.js';

/**
 * Records `error` (the refusal: a 413, or a WebSocket message's) for `path` if it is one of the
 * recorded routes (v1-routes.ts). The key is admitted as every other refusal's is (handlers admit before parsing, so a malformed body also counts against
 * the key's request rate), which names key, team and customer; a key that admission refuses (unknown,
 * missing, disabled, over its rate) is named as far as its error says. The body is never read.
 */
export async function recordRefused(
  chat: ChatDeps,
  path: string,
  requestId: string,
  headers: HeaderSource,
  error: GatewayError,
  /** Time since the request arrived (the callers keep their own clocks; the row uses chat.now()). */
  elapsedMs: number,
  refused: {
    /** `error` is the key's own admission refusal (it names whom it refused): not admitted again. */
    atAdmission?: boolean;
    /** The model the refused body names, read without parsing it (the body is never read here). */
    model?: string | undefined;
    /** The row's surface and operation, for a path no route serves (a 404); else V1_ROUTES' for `path`. */
    route?: { surface: Surface; operation?: RequestOperation } | undefined;
  } = {},
): Promise<void> {
  const route = refused.route ?? V1_ROUTES.get(path);
  if (!route) return;
  let access: Access | undefined;
  let recorded = error;
  try {
    if (!refused.atAdmission) access = await chat.gate.admit(headers);
  } catch (err) {
    // The refusal is still the answer; a key refused at admission (disabled, over its rate) is named
    // through the copy's requester, as recordRequest reads it (the error passed in may be shared, as the 413 is).
    const requester = err instanceof GatewayError ? err.requester : undefined;
    if (requester) {
      recorded = new GatewayError({ status: error.status, type: error.type, message: error.message, code: error.code });
      recorded.requester = requester;
    }
  }
  recordRequest(chat, undefined, {
    status: error.status,
    startedAt: chat.now() - elapsedMs,
    error: recorded,
    access,
    model: refused.model,
    requestId,
    surface: route.surface,
    operation: route.operation,
    sessionId: sessionIdFrom(headers, chat.sessionHeaders),
  });
}

/**
 * The 503 a request gets while the gateway drains, its row written first when `method` `path` leaves
 * one (recordedRoute: the /v1 POSTs, a stored response's GET and DELETE, an /mcp POST). Before, these
 * answers left no row. The key is named without being admitted: nothing was done for the request,
 * and with Redis counters a 503 counted here would count again when the client retries on another
 * instance. The body is never read (no model). Synchronous: the row is queued before the answer goes out.
 * An /mcp POST leaves its row (surface mcp, no session: none was reached) only for a known key, as
 * /mcp records nothing for an unknown one (its 401 has no row).
 */
export function refuseWhileDraining(chat: ChatDeps, method: string, path: string, requestId: string, headers: HeaderSource): GatewayError {
  const error = shuttingDown();
  const route = recordedRoute(method, path);
  if (!route) return error;
  error.requester = chat.gate.identify(headers);
  const mcp = route === MCP_POST;
  if (mcp && !error.requester) return error;
  recordRequest(chat, undefined, {
    status: error.status,
    startedAt: chat.now(),
    error,
    requestId,
    surface: route.surface,
    operation: route.operation,
    sessionId: mcp ? null : sessionIdFrom(headers, chat.sessionHeaders),
  });
  return error;
}

/**
 * The row of a 404 (no route serves `path`) under /v1, the API's namespace, when the request names a
 * known key (a disabled one too): an answered, authenticated request. Admitted, so counted against
 * the key's rate as a 400 is; past the rate still the 404, with its row, as a 413 is.
 * Its surface is the API the path is under (/v1/messages…, /v1/responses…; chat for the rest of
 * /v1), its operation a call, counted with the errors in the views. Without a key or with an
 * unknown one, no row: nothing was authenticated, and anyone could write them.
 */
export function recordNotFound(chat: ChatDeps, path: string, requestId: string, headers: HeaderSource, error: GatewayError): Promise<void> {
  if (!path.startsWith('/v1/') || !chat.gate.identify(headers)) return Promise.resolve();
  const surface: Surface = path.startsWith('/v1/messages') ? 'messages' : path.startsWith('/v1/responses') ? 'responses' : 'chat';
  return recordRefused(chat, path, requestId, headers, error, 0, { route: { surface } });
}

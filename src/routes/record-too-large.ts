// The requests row of a 413 on a recorded /v1 route. The body limit answers before any handler
// runs (node-hot-routes.ts, body-limit.ts), so without this an over-limit body left no row and
// the README's "every answered request is in the ledger" had a hole an attacker could use. Runs
// only on that error path: a request under the limit never reaches here. The Responses WebSocket
// records a message it refuses before the handler (malformed, too large, over the rate) the same way.
import { GatewayError } from '../errors.js';
import type { ChatDeps } from '../chat/handler.js';
import type { Access } from '../chat/ports.js';
import { recordRequest } from '../chat/record.js';
import { sessionIdFrom } from '../chat/session-id.js';
import type { HeaderSource } from '../governance/keys.js';
import { V1_ROUTES } from './v1-routes.js';

/**
 * Records `error` (the 413) for `path` if it is one of the recorded routes (v1-routes.ts). The key is admitted as
 * every other refusal's is (handlers admit before parsing, so a malformed body also counts against
 * the key's request rate), which names key, team and customer; a key that admission refuses (unknown,
 * missing, disabled, over its rate) is named as far as its error says. The body is never read.
 */
export async function recordTooLarge(
  chat: ChatDeps,
  path: string,
  requestId: string,
  headers: HeaderSource,
  error: GatewayError,
  /** Time since the request arrived (the callers keep their own clocks; the row uses chat.now()). */
  elapsedMs: number,
): Promise<void> {
  const route = V1_ROUTES.get(path);
  if (!route) return;
  let access: Access | undefined;
  let recorded = error;
  try {
    access = await chat.gate.admit(headers);
  } catch (err) {
    // The 413 is still the answer; a key refused at admission (disabled, over its rate) is named
    // through the copy's requester, as recordRequest reads it (the 413 passed in may be shared).
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
    requestId,
    surface: route.surface,
    operation: route.operation,
    sessionId: sessionIdFrom(headers, chat.sessionHeaders),
  });
}

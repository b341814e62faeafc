// A client that left before its request body arrived (or was cut by server.requestTimeoutMs) is
// the client's doing: Hono's routes end it as 499 (nginx's "client closed request", as the hot
// routes in node-hot-routes.ts and the ledger name it), not as a 500 "unhandled error" in the
// error log and the 5xx metrics, which any client could fill, with no key, by hanging up mid-body.
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/**
 * True when the request's own socket is gone before its body was complete. Read from Node's
 * request (@hono/node-server's `c.env.incoming`), not from the error: @hono/node-server's body
 * reader rejects with ECONNRESET "aborted" or a plain "Client connection prematurely closed.",
 * and an ECONNRESET can also come from elsewhere. Undefined env (app.request()): never.
 */
export function clientLeftMidBody(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.destroyed === true && !incoming.complete;
}

// A client that left before its request body arrived is the client's doing: Hono's routes end it
// as 499 (nginx's "client closed request", as the hot routes in node-hot-routes.ts and the ledger
// name it), not as a 500 "unhandled error" in the error log and the 5xx metrics, which any client
// could fill, with no key, by hanging up mid-body. One the server answered itself (cut by
// server.requestTimeoutMs, a body Node could not parse): serverAnswer says what, and app.ts records
// it (server-answered.ts).
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import { answeredByServer, type ServerAnswer } from './server-answered.js';

const incomingOf = (c: Context) => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/**
 * True when the request's own socket is gone before its body was complete. Read from Node's
 * request (@hono/node-server's `c.env.incoming`), not from the error: @hono/node-server's body
 * reader rejects with ECONNRESET "aborted" or a plain "Client connection prematurely closed.",
 * and an ECONNRESET can also come from elsewhere. Undefined env (app.request()): never.
 */
export function clientLeftMidBody(c: Context): boolean {
  const incoming = incomingOf(c);
  return incoming?.destroyed === true && !incoming.complete;
}

/** For a request that left mid-body: what the server answered it, if it did (server-answered.ts). */
export function serverAnswer(c: Context): ServerAnswer | undefined {
  return answeredByServer(incomingOf(c));
}

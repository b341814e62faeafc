// A request cut by server.requestTimeoutMs (its body still arriving): the HTTP server's
// 'clientError' listener (gateway/http-server.ts) writes the 408 on the socket and destroys it,
// and the route still reading the body sees only a closed request. The listener marks the socket
// here with the error it answered, so the route records that answer (a requests row on a /v1
// route, 408 in the metrics) instead of a client that left (499) and no row. Only the timeout
// path writes to this map: the request path reads it only once its body read has failed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../errors.js';

/** What a timed-out request was answered: the 408, and the limit it ran past (its latency, near enough). */
export interface TimedOut {
  error: GatewayError;
  ms: number;
}

const answered = new WeakMap<Duplex, TimedOut>();

/** The 408 a request gets when it has not arrived within `ms`. */
export function requestTimeoutError(ms: number): GatewayError {
  return new GatewayError({
    status: 408,
    type: 'invalid_request_error',
    code: 'request_timeout',
    message: `the request (headers and body) was not received within ${ms} ms`,
  });
}

/** Called by the 'clientError' listener once it has written the 408 on the socket of a timed-out request. */
export function markTimedOut(socket: Duplex, cut: TimedOut): void {
  answered.set(socket, cut);
}

/** The 408 this request's socket was answered with when server.requestTimeoutMs cut it; else undefined. */
export function timedOut(incoming: IncomingMessage | undefined): TimedOut | undefined {
  const socket = incoming?.socket;
  return socket ? answered.get(socket) : undefined;
}

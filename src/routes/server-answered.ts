// A request the HTTP server answered itself while its body was still arriving: cut by
// server.requestTimeoutMs (408), or a body Node's parser could not read (a malformed chunk: Node's
// canned 400, or 413). The server's 'clientError' listener (gateway/http-server.ts) writes the
// answer on the socket and destroys it, and the route still reading the body sees only a closed
// request. The listener marks the socket here with what it answered, so the route records that
// answer (a requests row on a /v1 route, under the x-request-id the answer carried; its status in
// the metrics) instead of a client that left (499) and no row. Only the clientError path writes to this map: the request path reads it only
// once its body read has failed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../errors.js';

/**
 * What the server answered: the error its row records, the time the request had taken (near enough;
 * 0 when unknown), and the x-request-id the answer carried, which its row is written under.
 */
export interface ServerAnswer {
  error: GatewayError;
  ms: number;
  requestId: string;
}

const answered = new WeakMap<Duplex, ServerAnswer>();

/** The 408 a request gets when it has not arrived within `ms`. */
export function requestTimeoutError(ms: number): GatewayError {
  return new GatewayError({
    status: 408,
    type: 'invalid_request_error',
    code: 'request_timeout',
    message: `the request (headers and body) was not received within ${ms} ms`,
  });
}

/** What Node's canned `status` (400, or 413) to a request it could not parse (`parserCode`, e.g. HPE_INVALID_CHUNK_SIZE) means in a row. */
export function unparsableRequestError(status: number, parserCode: string | undefined): GatewayError {
  return new GatewayError({
    status,
    type: status === 413 ? 'request_too_large' : 'invalid_request_error',
    code: 'http_parse_error',
    message: `the request could not be parsed as HTTP (${parserCode ?? 'unknown'})`,
  });
}

/** Called by the 'clientError' listener once it has written its answer on the socket of a request. */
export function markAnswered(socket: Duplex, answer: ServerAnswer): void {
  answered.set(socket, answer);
}

/** What the server answered this request's socket with, when it did (timeout, parse error); else undefined. */
export function answeredByServer(incoming: IncomingMessage | undefined): ServerAnswer | undefined {
  const socket = incoming?.socket;
  return socket ? answered.get(socket) : undefined;
}

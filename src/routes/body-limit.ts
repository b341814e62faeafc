// Request body limit → 413 request_too_large. A declared Content-Length is checked from the
// header alone (the common case costs nothing); chunked bodies of unknown length go through
// Hono's streaming limiter, which counts bytes as they arrive.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';
import { GatewayError } from '../errors.js';
import { errorResponse } from './error-response.js';
import { contentLength } from './node-request.js';

/** The 413 a body over `maxBytes` gets (the hot routes' listener answers it too). */
export function bodyTooLarge(maxBytes: number): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'request_too_large',
    message: `request body exceeds the limit of ${maxBytes} bytes`,
    code: 'body_too_large',
  });
}

/** Writes the requests row of a 413 (the routes that record one); awaited before the answer. */
export type TooLargeRecorder = (c: Context, error: GatewayError) => Promise<void>;

export function bodyLimit(maxBytes: number, record?: TooLargeRecorder): MiddlewareHandler {
  const tooLarge: MiddlewareHandler = async (c) => {
    const error = bodyTooLarge(maxBytes);
    if (record) await record(c, error);
    const res = errorResponse(c, error);
    // The rest of the body is never read, so Node closes this socket after answering; saying so
    // keeps a keep-alive client from sending its next request into a closing connection.
    res.headers.set('connection', 'close');
    return res;
  };
  const streaming = streamingBodyLimit({ maxSize: maxBytes, onError: (c) => tooLarge(c, async () => undefined) as Promise<Response> });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = contentLength(c);
    if (length === undefined) return streaming(c, next);
    return length > maxBytes ? tooLarge(c, next) : next();
  };
}

// The single place a GatewayError becomes an HTTP response (OpenAI error shape + Retry-After).
import type { Context } from 'hono';
import { errorHeaders, renderError, type GatewayError } from '../errors.js';

export function errorResponse(c: Context, err: GatewayError): Response {
  // 499 is our ledger's "client closed request"; nobody is listening, but keep HTTP valid.
  const status = err.status === 499 ? 400 : err.status;
  return c.json(renderError(err), status as 400, errorHeaders(err));
}

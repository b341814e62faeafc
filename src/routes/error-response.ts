// The single place a GatewayError becomes an HTTP response: the OpenAI error shape + Retry-After,
// or Anthropic's shape for Anthropic clients (/v1/messages*, and /v1/models asked with an
// anthropic-version header). An Anthropic upstream's own error goes back unmodified.
import type { Context } from 'hono';
import { errorHeaders, renderError, type GatewayError } from '../errors.js';
import { rawErrorOf, renderAnthropicError } from '../wire/messages/errors.js';

export function wantsAnthropicErrors(c: Context): boolean {
  const path = c.req.path;
  return path.startsWith('/v1/messages') || (path === '/v1/models' && c.req.header('anthropic-version') !== undefined);
}

export function errorResponse(c: Context, err: GatewayError): Response {
  // 499 is our ledger's "client closed request"; nobody is listening, but keep HTTP valid.
  const status = err.status === 499 ? 400 : err.status;
  if (wantsAnthropicErrors(c)) {
    const raw = rawErrorOf(err);
    if (raw) return new Response(raw.body, { status: raw.status, headers: { 'content-type': 'application/json', ...raw.headers } });
    return c.json(renderAnthropicError(err, String(c.get('requestId') ?? '')), status as 400, errorHeaders(err));
  }
  return c.json(renderError(err), status as 400, errorHeaders(err));
}

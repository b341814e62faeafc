// The single place a GatewayError becomes an HTTP response: the OpenAI error shape + Retry-After,
// or Anthropic's shape for Anthropic clients (/v1/messages*, and /v1/models asked with an
// anthropic-version header). An Anthropic upstream's own error goes back unmodified.
// `errorReply` is the rendering; Hono's routes answer with `errorResponse`, the hot routes' Node
// listener (node-hot-routes.ts) writes the same reply to Node's response.
import type { Context } from 'hono';
import { errorHeaders, GatewayError, renderError } from '../errors.js';
import { rawErrorOf, renderAnthropicError } from '../wire/messages/errors.js';

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a request gets once the gateway is draining (SIGTERM). */
export function shuttingDown(): GatewayError {
  return new GatewayError({ status: 503, type: 'service_unavailable', message: 'the gateway is shutting down; retry on another instance' });
}

export function wantsAnthropicErrors(c: Context): boolean {
  const path = c.req.path;
  return path.startsWith('/v1/messages') || (path === '/v1/models' && c.req.header('anthropic-version') !== undefined);
}

export function errorReply(err: GatewayError, anthropic: boolean, requestId: string): ErrorReply {
  if (anthropic) {
    const raw = rawErrorOf(err);
    if (raw) return { status: raw.status, headers: { 'content-type': 'application/json', ...raw.headers }, body: raw.body };
  }
  // 499 is our ledger's "client closed request"; nobody is listening, but keep HTTP valid.
  const status = err.status === 499 ? 400 : err.status;
  const body = anthropic ? renderAnthropicError(err, requestId) : renderError(err);
  return { status, headers: { 'content-type': 'application/json', ...errorHeaders(err) }, body: JSON.stringify(body) };
}

export function errorResponse(c: Context, err: GatewayError): Response {
  const reply = errorReply(err, wantsAnthropicErrors(c), String(c.get('requestId') ?? ''));
  return c.body(reply.body, reply.status as 400, reply.headers);
}

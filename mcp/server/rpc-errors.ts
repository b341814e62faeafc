// The JSON-RPC errors /mcp answers itself, for requests the SDK transport never sees (a body that is
// not JSON, an unknown session, a method without a session), in the shape the SDK transport writes
// them; split out of routes.ts so the Hono routes and the Node listener's session POST share them.
import type { Context } from 'hono';
import { JSON_TYPE, type NodeMcpAnswer } from './node-post.js';

export const rpcErrorBody = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

/** The error as a Hono response. */
export const rpcError = (c: Context, status: 400 | 404 | 405, code: number, message: string) => c.json(rpcErrorBody(code, message), status);

/** The error as the Node listener's answer (node-hot-routes.ts). */
export const nodeRpcError = (status: 400 | 404, code: number, message: string): NodeMcpAnswer => ({
  status,
  headers: { 'content-type': JSON_TYPE },
  text: JSON.stringify(rpcErrorBody(code, message)),
});

export const PARSE_ERROR = 'Parse error: the body is not valid JSON';

/** The body's JSON; { ok: false } when it is not JSON (the caller answers a parse error). */
export function parseBody(text: string): { ok: true; body: unknown } | { ok: false } {
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The SDK transport (2.4.0) refuses a batch of more than 100 messages with this 400, but only after
 * isLegacyRequest has tested every message against four zod schemas: a batch of 40,000
 * notifications cost 170 ms, 21× JSON.parse of its body (issue 20,
 * tests/isolation/mcp-wide-bodies.test.ts). /mcp refuses it as the SDK would, before either.
 */
const MAX_BATCH = 100;
export const BATCH_TOO_LONG = `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`;
export const tooLongBatch = (body: unknown): boolean => Array.isArray(body) && body.length > MAX_BATCH;

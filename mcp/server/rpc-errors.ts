// The JSON-RPC errors /mcp answers itself, for requests the SDK transport never sees (a body that is
// not JSON, an unknown session, a method without a session), in the shape the SDK transport writes
// them; split out of routes.ts so the Hono routes and the Node listener's session POST share them.
import type { Context } from 'hono';
import { JSON_TYPE, type NodeMcpAnswer } from './node-post.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../src/openai/json-depth.js';

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
export const TOO_DEEP = `Invalid Request: the body nests deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * The body's JSON; else the JSON-RPC error the caller answers (400): a parse error, or a body nested
 * deeper than the /v1 routes take (json_too_deep there). Before, tool arguments nested a few
 * thousand levels deep overflowed the stack where the call path stringifies them: the client got
 * -32603 "Maximum call stack size exceeded" and the call had no ledger row.
 */
export function parseBody(text: string): { ok: true; body: unknown } | { ok: false; code: number; message: string } {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, code: -32700, message: PARSE_ERROR };
  }
  return exceedsDepth(body) ? { ok: false, code: -32600, message: TOO_DEEP } : { ok: true, body };
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

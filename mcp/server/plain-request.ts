// What the short way of a 2025 session's POST (session-transport.ts) recognises without the MCP
// SDK's zod schemas: a plain JSON-RPC request, and one that is surely of a pre-2026 revision.
// Split out of session-transport.ts, which serves such requests.
import { isPlainObject } from '../plain-object.js';

export type RequestId = string | number;

const KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * A JSON-RPC request the SDK's message schema takes as it is: the keys it knows, their types, and
 * params without a `_meta`, or with only a progress token in it. Anything else is left to the SDK.
 */
export function plainRequest(body: unknown): body is { jsonrpc: '2.0'; id: RequestId; method: string; params?: Record<string, unknown> } {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || typeof body.method !== 'string' || body.method === 'initialize') return false;
  const id = body.id;
  if (!(typeof id === 'string' || Number.isSafeInteger(id))) return false;
  for (const key in body) if (!KEYS.has(key)) return false;
  const params = body.params;
  if (params === undefined) return true;
  if (!isPlainObject(params)) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isPlainObject(meta)) return false;
  for (const key in meta) {
    if (key !== 'progressToken') return false;
    const token = meta[key];
    if (!(typeof token === 'string' || Number.isSafeInteger(token))) return false;
  }
  return true;
}

/** The first protocol revision the SDK serves as modern (2026-07-28): header versions compare as strings. */
const FIRST_MODERN = '2026-07-28';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What the SDK's isLegacyRequest would answer true to, known without it: a plain request (above,
 * which carries no 2026-07-28 envelope claim) that is not initialize, under no MCP-Protocol-Version
 * header or a pre-2026 one. isLegacyRequest tests every body first against the result and error
 * response schemas (zod safeParse, failing and building an error: ~80 µs of a /mcp call under load,
 * issue 20); a session's tool calls need none of that. Anything else still goes to isLegacyRequest.
 */
export function surelyLegacy(body: unknown, versionHeader: string | null): boolean {
  return plainRequest(body) && (versionHeader === null || (DATE.test(versionHeader) && versionHeader < FIRST_MODERN));
}

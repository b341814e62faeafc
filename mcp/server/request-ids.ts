// JSON-RPC request ids within one /mcp session. The MCP spec (basic, "Requests"): a request ID
// MUST NOT have been used before by the requestor within the same session. The SDK keys a running
// request by its id alone (the Streamable HTTP transport's id-to-stream map, the server's abort
// controllers), so a client that sent an id again while the first request ran had one request's
// answer sent on the other's POST and the other POST never answered (issue 20,
// tests/isolation/mcp-request-ids.test.ts). A request whose id is in use is refused instead, before
// the SDK sees it; the first request is answered as if it had been alone.
import { isPlainObject } from '../plain-object.js';
import type { RequestId } from './plain-request.js';

/** The id of a JSON-RPC request (a message with a method and an id); undefined for anything else. */
export function requestIdOf(message: unknown): RequestId | undefined {
  if (!isPlainObject(message) || typeof message.method !== 'string') return undefined;
  const id = message.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** The ids of the requests in a body (one message or a batch). */
export function requestIds(body: unknown): RequestId[] {
  const messages = Array.isArray(body) ? body : [body];
  const ids: RequestId[] = [];
  for (const message of messages) {
    const id = requestIdOf(message);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** The first request id of `body` that is in use (`inUse`) or comes twice in it; undefined when none. */
export function reusedId(body: unknown, inUse: (id: RequestId) => boolean): RequestId | undefined {
  if (!Array.isArray(body)) {
    const id = requestIdOf(body);
    return id !== undefined && inUse(id) ? id : undefined;
  }
  const seen = new Set<RequestId>();
  for (const id of requestIds(body)) {
    if (seen.has(id) || inUse(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/** The refusal's message (a JSON-RPC -32600 Invalid Request). */
export const idInUse = (id: RequestId): string =>
  `Invalid Request: id ${JSON.stringify(id)} is already used by a request of this session that has not been answered (request ids must be unique within a session)`;

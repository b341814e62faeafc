// What /mcp needs to serve a POST straight from Node's request listener (node-hot-routes.ts says
// why): the request as the MCP SDK's transport reads it, built from Node's own parsed headers, and
// the shape of the answer the listener writes.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json';

/** A POST /mcp served straight from Node's request listener (src/routes/node-hot-routes.ts). */
export interface NodeMcpPost {
  /** Node's parsed headers (names lower-case). */
  headers: IncomingHttpHeaders;
  /** Path and query as called. */
  url: string;
  /** Node's response: its close before the end is the client leaving. */
  outgoing: ServerResponse;
  /** Reads the whole body as text (the gateway's body limit applies); called once the key is admitted. */
  readBody(): Promise<string>;
}

/** What such a POST answers: a JSON (or empty) body to write, or the SDK's event stream to relay. */
export type NodeMcpAnswer = { status: number; headers: Record<string, string>; text: string } | Response;

/** Node's headers as the fetch API's `get` reads them (null when absent), for our checks and the SDK's. */
export class NodeFetchHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.headers[name.toLowerCase()] !== undefined;
  }
}

/**
 * What the SDK transport and isLegacyRequest read of a POST: its method and headers (and the URL,
 * never the body, which they are handed parsed, nor the signal). A plain object, where the Hono
 * route hands them @hono/node-server's Request.
 */
export const lightRequest = (url: string, headers: NodeFetchHeaders) => ({ method: 'POST', url, headers }) as unknown as Request;

/** A full Request for the rare POST that goes to the 2026-07-28 handler (it may read the signal). */
export function fullRequest(post: NodeMcpPost): Request {
  const controller = new AbortController();
  post.outgoing.once('close', () => {
    if (!post.outgoing.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(post.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  let url: URL;
  try {
    url = new URL(post.url, `http://${post.headers.host ?? 'localhost'}`);
  } catch {
    url = new URL(post.url, 'http://localhost');
  }
  return new Request(url, { method: 'POST', headers, signal: controller.signal });
}

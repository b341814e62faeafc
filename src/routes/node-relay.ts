// A web Response's event stream written to Node's response as it comes, as @hono/node-server
// would write it: the head at once (the client may wait long for the first event: an elicitation,
// a tool's progress), then each chunk; a client that leaves cancels the stream, so its producer
// (the MCP SDK's transport) learns it and lets go of the request. A chunk the socket does not take
// at once is waited for ('drain'), as @hono/node-server does: else a client that does not read had
// every chunk held in Node's buffer, unbounded; the stream's producer bounds what waits before it
// (mcp/server/bounded-stream.ts) and destroys `outgoing` when it lets the client go.
import type { ServerResponse } from 'node:http';

/** A web Response's headers as the plain object Node's writeHead takes. */
export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/** Relays `response` (its body a stream) to `outgoing`, with `x-request-id`; never throws. */
export function relayStream(response: Response, outgoing: ServerResponse, requestId: string): void {
  const headers = headersOf(response);
  headers['x-request-id'] = requestId;
  outgoing.writeHead(response.status, headers);
  outgoing.flushHeaders();
  const reader = response.body!.getReader();
  const gone = () => {
    if (!outgoing.writableFinished) void reader.cancel().catch(() => undefined);
  };
  outgoing.once('close', gone);
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || outgoing.destroyed) break;
        if (!outgoing.write(value)) await drained(outgoing);
      }
    } catch {
      // Cancelled (the client left) or failed: nothing more can be said on this stream.
    } finally {
      outgoing.off('close', gone);
      if (!outgoing.destroyed) outgoing.end();
    }
  })();
}

/** Resolves at the response's next 'drain' or its 'close'. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      outgoing.off('drain', go);
      outgoing.off('close', go);
      resolve();
    };
    outgoing.on('drain', go);
    outgoing.on('close', go);
  });
}

// The Node HTTP server the gateway listens with (main.ts, and the tests' gateway): the listener
// plus the server's own limits (config `server`). Node's defaults let a client take 300 s to send
// one request and open any number of sockets; no per-key limit applies before the body is read.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerLimits } from '../config-server.js';
import { renderError } from '../errors.js';
import { newRequestId } from '../ledger/request-id.js';
import { markAnswered, requestTimeoutError, unparsableRequestError } from '../routes/server-answered.js';

// What Node itself writes for a request it cannot parse (its default, which a 'clientError'
// listener replaces): its status line unchanged, plus the x-request-id every answer carries; only
// the timeout gets a body in the OpenAI shape.
const NODE_CANNED: Record<string, string | undefined> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
};
const BAD_REQUEST = '400 Bad Request';

/** The server's own answer: `status` (code and reason), the request id, the body (the 408's) or none. */
function reply(status: string, requestId: string, body?: string): string {
  const head = `HTTP/1.1 ${status}\r\nx-request-id: ${requestId}\r\nConnection: close\r\n`;
  return body === undefined
    ? `${head}\r\n`
    : `${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export function createHttpServer(listener: RequestListener, limits: ServerLimits): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // Node looks for expired requests only this often (default 30 s, which would let a 30 s
      // limit run to 60 s); a pass over the open connections each second costs next to nothing.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    listener,
  );
  // Beyond this Node destroys each new socket as it is accepted.
  server.maxConnections = limits.maxConnections;
  const timeoutError = requestTimeoutError(limits.requestTimeoutMs);
  const timeoutBody = JSON.stringify(renderError(timeoutError));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response can still be written only if none has begun on this socket.
    const res = (socket as Duplex & { _httpMessage?: { headersSent?: boolean; req?: IncomingMessage } })._httpMessage;
    if (socket.writable && !res?.headersSent && err.code !== 'ECONNRESET') {
      const cut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const canned = NODE_CANNED[err.code ?? ''] ?? BAD_REQUEST;
      // The id the answer carries is the one its requests row is written under, when one is.
      const requestId = newRequestId();
      socket.write(cut ? reply('408 Request Timeout', requestId, timeoutBody) : reply(canned, requestId));
      // A request whose body was arriving: the route reading it records what it got, under this id
      // (routes/server-answered.ts). Not one whose body had all arrived (a pipelined request's
      // garbage behind it): its handler records it. Nor a client that closed its side mid-body
      // (EOF): it has left (499), whatever is written after it.
      if (res?.req && !res.req.complete && err.code !== 'HPE_INVALID_EOF_STATE') {
        const error = cut ? timeoutError : unparsableRequestError(canned === BAD_REQUEST ? 400 : 413, err.code);
        markAnswered(socket, { error, ms: cut ? limits.requestTimeoutMs : 0, requestId });
      }
    }
    socket.destroy(err);
  });
  return server;
}

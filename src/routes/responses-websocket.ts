// GET /v1/responses with `Upgrade: websocket`: the Responses API's WebSocket mode, as Codex speaks it
// (`OpenAI-Beta: responses_websockets=…`). Codex tries it first for providers that support it and,
// when the upgrade is refused, falls back to SSE only after its retries: seconds of startup delay.
// This file takes the server's upgrades; a connection's responses are served by
// responses-websocket-connection.ts, its events by responses-websocket-events.ts, and what it
// remembers between responses (previous_response_id, warm-ups) by responses-websocket-continuation.ts.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { errorHeaders, GatewayError, renderError, toGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResponsesDeps } from '../responses/handler.js';
import { nodeHeaders } from './node-request.js';
import { serveAsHttp } from './upgrade-fallback.js';
import { shuttingDown } from './error-response.js';
import { serveConnection } from './responses-websocket-connection.js';
import { errorEvent } from './responses-websocket-events.js';

export interface ResponsesWebSocketOptions {
  deps: ResponsesDeps;
  /** Largest message accepted (the HTTP body limit). */
  maxPayloadBytes: number;
  /** Connections one key may hold open on this replica (responses.webSocket.maxConnectionsPerKey). */
  maxConnectionsPerKey: number;
  /** A connection with no response in progress and no message this long is closed. */
  idleTimeoutMs: number;
  draining(): boolean;
  /** Resolves when the ledger has room again (as the HTTP routes wait before a POST). */
  ledgerRoom?: () => Promise<void> | undefined;
  logger: Logger;
}

export interface ResponsesWebSocket {
  /** Takes the server's upgrades: WebSocket ones to /v1/responses; any other goes back to HTTP. */
  attach(server: Server): void;
  /** Responses in progress on WebSocket connections (a shutdown waits for them as for HTTP requests). */
  inFlight(): number;
  /** Closes every connection (shutdown). */
  close(): void;
}

const PATHS = new Set(['/v1/responses', '/responses']);

export function createResponsesWebSocket(opts: ResponsesWebSocketOptions): ResponsesWebSocket {
  // ws is loaded with the first WebSocket upgrade, not at startup: a gateway no client opens one to
  // does not keep its modules (1.3 MB of heap; issue 20, bench/README.md "Memory settings").
  let wss: WebSocketServer | undefined;
  let loading: Promise<WebSocketServer> | undefined;
  let closed = false;
  const wsServer = () =>
    (loading ??= import('ws').then(({ WebSocketServer }) => {
      wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes });
      // Closed before it loaded (shutdown): refuses the upgrade as a closed server does.
      if (closed) wss.close();
      return wss;
    }));
  let inFlight = 0;
  const track = (delta: 1 | -1) => void (inFlight += delta);
  // Open connections per key (null: no key): each is a file descriptor and may hold queued messages
  // of up to maxPayloadBytes, so one key may not take them all (README, Guarantees: Isolation).
  const perKey = new Map<string | null, number>();

  return {
    attach(server) {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const path = (req.url ?? '/').split('?', 1)[0]!;
        if (req.headers.upgrade?.toLowerCase() === 'websocket' && PATHS.has(path)) upgrade(req, socket, head);
        else serveAsHttp(server, req, socket, head);
      });
    },
    inFlight: () => inFlight,
    close() {
      closed = true;
      if (!wss) return;
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (opts.draining()) {
      refuse(socket, shuttingDown());
      return;
    }
    const headers = nodeHeaders(req.headers);
    // The key is checked before the upgrade so a bad one gets a plain 401 the client can read;
    // rate limits are counted per response.create; connections count against maxConnectionsPerKey.
    opts.deps.gate
      .admit(headers, 0)
      .then(async (access) => {
        const server = await wsServer();
        if (socket.destroyed) return; // the client left while the key was checked
        hold(access.keyId, socket);
        server.handleUpgrade(req, socket, head, (ws) => {
          // The 101 is written: from here the socket speaks WebSocket, so a failure is told as an
          // error event and a close, never as HTTP bytes (which the client would read as a broken frame).
          try {
            serveConnection(ws, socket, headers, opts, track);
          } catch (err) {
            closeOnError(ws, err, opts.logger);
          }
        });
      })
      // Before the upgrade (admission: key, rate, budget; the per-key connection cap; loading ws):
      // the socket is still HTTP, and the client reads a plain answer in the OpenAI error shape.
      .catch((err: unknown) => refuse(socket, toGatewayError(err)));
  }

  /** Counts a connection of `keyId` until its socket closes, whatever closes it (the client, an
   * error, a refused handshake, shutdown, a stall or idle close); throws past the cap. */
  function hold(keyId: string | null, socket: Duplex): void {
    const n = perKey.get(keyId) ?? 0;
    if (n >= opts.maxConnectionsPerKey) {
      throw new GatewayError({
        status: 429,
        type: 'rate_limited',
        code: 'responses_websocket_connections_exhausted',
        message: `virtual key ${keyId ?? '(none)'} holds its ${opts.maxConnectionsPerKey} open Responses WebSocket connections; close one or retry later`,
        retryAfter: 5,
      });
    }
    perKey.set(keyId, n + 1);
    socket.once('close', () => {
      const left = (perKey.get(keyId) ?? 1) - 1;
      if (left > 0) perKey.set(keyId, left);
      else perKey.delete(keyId);
    });
  }
}

/**
 * Ends an upgraded connection that cannot go on: its error event (as a failed response.create gets),
 * then a close frame, 1011 (internal error) for a server error, 1008 (policy violation) otherwise.
 * Nothing is recorded in the ledger: no response was asked for; the log has it, as for a response.
 */
function closeOnError(ws: WebSocket, err: unknown, logger: Logger): void {
  const error = toGatewayError(err);
  if (error.status >= 500 && error.type === 'server_error') logger.error({ err }, 'responses websocket: unhandled error');
  if (ws.readyState === ws.OPEN) ws.send(errorEvent(error));
  ws.close(error.status >= 500 ? 1011 : 1008, error.status >= 500 ? 'internal error' : 'refused');
}

/** Refuses the upgrade with a plain HTTP answer in the OpenAI error shape. */
function refuse(socket: Duplex, err: GatewayError): void {
  const body = JSON.stringify(renderError(err));
  socket.end(
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n` +
      Object.entries(errorHeaders(err))
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

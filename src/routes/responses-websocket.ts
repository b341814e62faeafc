// GET /v1/responses with `Upgrade: websocket`: the Responses API's WebSocket mode, as Codex speaks it
// (`OpenAI-Beta: responses_websockets=…`). Codex tries it first for providers that support it and,
// when the upgrade is refused, falls back to SSE only after its retries: seconds of startup delay.
//
// One connection carries many responses, one at a time. The client sends
// `{"type":"response.create", …Responses request…}`; every event of that response comes back as one
// text message holding the event's JSON (the same objects as the SSE `data:` lines), and a request
// that fails before its stream starts gets `{"type":"error","status":N,"error":{…}}`. Each response
// goes through handleResponses like a POST: the same admission, budgets, loop and ledger.
//
// Continuation: with store:false (Codex's default) a WebSocket client sends only the new items and
// `previous_response_id` naming the connection's last response. The connection keeps that one
// response's full item list (its input and output) and expands such a request to the whole
// conversation before it reaches the handler, so it works on every kind of upstream. An id that is
// not the connection's last response is left for the handler (responses the gateway stored).
// `generate: false` warms the connection up: the input is kept as a response with no output, and no
// model is called.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { newRequestId } from '../ledger/request-id.js';
import type { WebSocket, WebSocketServer } from 'ws';
import type { SseSink } from '../chat/sse-channel.js';
import { GatewayError, invalidRequest, renderError, toGatewayError } from '../errors.js';
import type { HeaderSource } from '../governance/keys.js';
import type { Logger } from '../logger.js';
import { handleResponses, type ResponsesDeps } from '../responses/handler.js';
import { parseJsonBody } from '../chat/handler.js';
import { nodeHeaders } from './node-request.js';
import { serveAsHttp } from './upgrade-fallback.js';
import { shuttingDown } from './error-response.js';

export interface ResponsesWebSocketOptions {
  deps: ResponsesDeps;
  /** Largest message accepted (the HTTP body limit). */
  maxPayloadBytes: number;
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

type Item = Record<string, unknown>;
interface Previous {
  id: string;
  items: Item[];
}

const PATHS = new Set(['/v1/responses', '/responses']);
/** Messages a connection may have waiting behind the response in progress. */
const MAX_WAITING = 8;

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
    // rate limits are counted per response.create, not per connection.
    opts.deps.gate
      .admit(headers, 0)
      .then(wsServer)
      .then(
        (server) => server.handleUpgrade(req, socket, head, (ws) => serve(ws, headers)),
        (err: unknown) => refuse(socket, toGatewayError(err)),
      );
  }

  function serve(ws: WebSocket, headers: HeaderSource): void {
    let previous: Previous | undefined;
    let queue = Promise.resolve();
    const closed = new AbortController();
    // One listener per connection, not one per response: a long Codex session sends hundreds.
    const gone = new Promise<void>((resolve) => closed.signal.addEventListener('abort', () => resolve(), { once: true }));
    ws.on('close', () => closed.abort());
    ws.on('error', () => closed.abort());
    // Responses run one at a time; messages sent ahead wait, a few of them. A client that sends
    // more than that is flooding: each waiting message holds up to maxPayloadBytes.
    let waiting = 0;
    ws.on('message', (data, isBinary) => {
      if (++waiting > MAX_WAITING) {
        sendError(
          new GatewayError({ status: 429, type: 'rate_limited', message: `more than ${MAX_WAITING} messages waiting on this connection` }),
        );
        ws.close(1008, 'too many messages waiting');
        closed.abort();
        return;
      }
      const text = isBinary ? undefined : data.toString();
      queue = queue.then(async () => {
        if (!closed.signal.aborted) await one(text);
        waiting--;
      });
    });

    const send = (value: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    };
    const sendError = (err: GatewayError) => send({ type: 'error', status: err.status, ...renderError(err) });

    async function one(text: string | undefined): Promise<void> {
      try {
        const message = parseMessage(text);
        if (message.type === 'response.processed') return; // the client's acknowledgement: nothing to answer
        if (message.type !== 'response.create')
          throw invalidRequest(`unsupported WebSocket message type '${String(message.type)}'`, 'type');
        // Draining: the connection stays for the response in progress, new ones go elsewhere.
        if (opts.draining()) throw shuttingDown();
        const { type: _type, generate, ...body } = message;
        const expanded = expand(body, previous);
        if (generate === false) {
          previous = warmUp(send, expanded);
          return;
        }
        inFlight++;
        try {
          previous = await respond(expanded);
        } finally {
          inFlight--;
        }
      } catch (err) {
        const error = toGatewayError(err);
        if (error.status >= 500 && error.type === 'server_error') opts.logger.error({ err }, 'responses websocket: unhandled error');
        sendError(error);
      }
    }

    /** One response, streamed as messages; what a continuation on this connection starts from. */
    async function respond(expanded: Record<string, unknown>): Promise<Previous | undefined> {
      const wait = opts.ledgerRoom?.();
      if (wait) await wait;
      const sink = new EventSink(send);
      const out = await handleResponses(opts.deps, {
        requestId: newRequestId(),
        headers,
        bodyText: JSON.stringify({ ...expanded, stream: true }),
        signal: closed.signal,
        sseSink: () => sink,
      });
      if (out.kind !== 'sent') throw new GatewayError({ status: 500, type: 'server_error', message: 'the response was not streamed' });
      // The handler returns once the stream is under way; the next message waits for its end.
      await Promise.race([sink.ended, gone]);
      const completed = sink.completed;
      return completed ? { id: completed.id, items: [...inputItems(expanded.input), ...completed.output] } : undefined;
    }
  }
}

/** SSE frames from the handler become one WebSocket message per event; comments (keep-alives) are dropped. */
class EventSink implements SseSink {
  private buffer = '';
  completed: { id: string; output: Item[] } | undefined;
  /** Resolves when the handler ends the stream. */
  readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(private readonly send: (text: string) => void) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
  }

  open(): void {}

  write(text: string): void {
    this.buffer += text;
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      this.frame(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
      end = this.buffer.indexOf('\n\n');
    }
  }

  end(): void {
    if (this.buffer.trim()) this.frame(this.buffer);
    this.buffer = '';
    this.markEnded();
  }

  private frame(frame: string): void {
    const data = frame
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (!data || data === '[DONE]') return;
    if (data.includes('"response.completed"')) {
      const event = JSON.parse(data) as { type?: string; response?: { id: string; output?: Item[] } };
      if (event.type === 'response.completed' && event.response)
        this.completed = { id: event.response.id, output: event.response.output ?? [] };
    }
    this.send(data);
  }
}

/** A message is parsed as a POST body is (the same depth limit and errors), and must be an object. */
function parseMessage(text: string | undefined): Record<string, unknown> {
  if (text === undefined) throw invalidRequest('WebSocket messages must be text frames holding JSON');
  const value = parseJsonBody(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest('WebSocket message must be a JSON object');
  return value as Record<string, unknown>;
}

/** A continuation of the connection's last response becomes the whole conversation. */
function expand(body: Record<string, unknown>, previous: Previous | undefined): Record<string, unknown> {
  if (!previous || body.previous_response_id !== previous.id) return body;
  const { previous_response_id: _id, ...rest } = body;
  return { ...rest, input: [...previous.items, ...inputItems(body.input)] };
}

function inputItems(input: unknown): Item[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? (input as Item[]) : [];
}

/** generate:false: a response with no output, so the next request can continue from this input. */
function warmUp(send: (value: unknown) => void, body: Record<string, unknown>): Previous {
  const id = `resp_${randomUUID().replaceAll('-', '')}`;
  const response = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: body.model,
    output: [],
    usage: {
      input_tokens: 0,
      output_tokens: 0,
      total_tokens: 0,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
  };
  send({ type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress' } });
  send({ type: 'response.completed', sequence_number: 1, response });
  return { id, items: inputItems(body.input) };
}

/** Refuses the upgrade with a plain HTTP answer in the OpenAI error shape. */
function refuse(socket: Duplex, err: GatewayError): void {
  const body = JSON.stringify(renderError(err));
  socket.end(
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

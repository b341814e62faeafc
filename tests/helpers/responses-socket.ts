// The one way tests open a Responses WebSocket connection (GET /v1/responses with Upgrade:
// websocket) to a gateway: the key in the upgrade's headers, the open awaited, and what comes back
// read in order. Before, each test file built its own URL, open-wait, inbox and close promise.
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';

/** A message as the gateway sent it (tests assert on its fields). */
export type Event = Record<string, any>;

/** Event types that end a response (or answer a message that started none). */
export const RESPONSE_ENDS: readonly string[] = ['response.completed', 'response.failed', 'response.incomplete', 'error'];

export interface ResponsesSocketOptions {
  /** Default `/v1/responses`. */
  path?: string;
  /** Sent with the upgrade besides the key's `authorization`. */
  headers?: Record<string, string>;
  /** Each socket opened is pushed here (a test's after() terminates them). */
  track?: WebSocket[];
  /**
   * Parse each message into `received`, which next() and read() go through (default true). False for a test
   * that reads the messages itself (a huge answer counted, not kept).
   */
  events?: boolean;
}

export interface ResponsesSocket {
  ws: WebSocket;
  /** Sends one message: an object as JSON, a string or bytes as they are. */
  send(message: object | string | Buffer): void;
  /** Sends `{"type":"response.create", …body}`. */
  create(body: object): void;
  /** Every message so far, parsed, in the order they came (next() and read() take nothing from it). */
  received: readonly Event[];
  /** The next message, parsed; in the order they came. Rejects once the connection has closed and none is left. */
  next(): Promise<Event>;
  /** The messages through the next one that ends a response (RESPONSE_ENDS). */
  read(): Promise<Event[]>;
  /** Resolves when the connection closes, with its close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A refused upgrade's plain HTTP answer. */
export interface RefusedUpgrade {
  status: number;
  headers: IncomingHttpHeaders;
  /** The error body, in the OpenAI shape. */
  body: any;
}

/** The ws:// URL of `path` on the gateway at `gatewayUrl` (http://host:port). */
export const socketUrl = (gatewayUrl: string, path = '/v1/responses') => `${gatewayUrl.replace(/^http/, 'ws')}${path}`;

/** Opens a connection; a refused upgrade resolves with its HTTP answer instead. */
export function upgradeResponsesSocket(
  gatewayUrl: string,
  key: string,
  opts: ResponsesSocketOptions = {},
): Promise<{ socket: ResponsesSocket; refused?: undefined } | { socket?: undefined; refused: RefusedUpgrade }> {
  const ws = new WebSocket(socketUrl(gatewayUrl, opts.path), { headers: { authorization: `Bearer ${key}`, ...opts.headers } });
  opts.track?.push(ws);
  const socket = wrap(ws, opts.events ?? true);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ socket }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () =>
        resolve({ refused: { status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined } }),
      );
    });
    // Every error handled (a refused upgrade may end in one after its answer): none goes unhandled.
    ws.on('error', reject);
  });
}

/** Opens a connection; rejects if the upgrade is refused. */
export async function openResponsesSocket(gatewayUrl: string, key: string, opts: ResponsesSocketOptions = {}): Promise<ResponsesSocket> {
  const out = await upgradeResponsesSocket(gatewayUrl, key, opts);
  if (out.refused) throw new Error(`the upgrade was refused: ${out.refused.status} ${JSON.stringify(out.refused.body)}`);
  return out.socket;
}

function wrap(ws: WebSocket, events: boolean): ResponsesSocket {
  const received: Event[] = [];
  let read = 0;
  let wake: (() => void) | undefined;
  if (events) {
    ws.on('message', (data) => {
      received.push(JSON.parse(data.toString()) as Event);
      wake?.();
    });
  }
  let ended: string | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      ended = `the connection closed (${code} ${reason.toString()})`;
      wake?.();
      resolve({ code, reason: reason.toString() });
    }),
  );
  const send = (message: object | string | Buffer) =>
    ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  const next = async (): Promise<Event> => {
    while (read === received.length) {
      // A closed connection sends nothing more: fail rather than wait for the test's timeout.
      if (ended) throw new Error(`${ended} with no message left to read`);
      await new Promise<void>((r) => (wake = r));
    }
    return received[read++]!;
  };
  return {
    ws,
    received,
    send,
    create: (body) => send({ type: 'response.create', ...body }),
    next,
    async read() {
      const got: Event[] = [];
      for (;;) {
        const e = await next();
        got.push(e);
        if (RESPONSE_ENDS.includes(e.type)) return got;
      }
    },
    closed,
  };
}

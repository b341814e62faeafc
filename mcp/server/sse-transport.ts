// The deprecated HTTP+SSE transport (protocol 2024-11-05), server side, on web-standard streams so
// it fits Hono like the SDK's WebStandardStreamableHTTPServerTransport does. The SDK's own
// SSEServerTransport needs a Node ServerResponse, which would tie /mcp to one HTTP adapter.
// Spec: https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
import { EventEmitter } from 'node:events';
import { parseJSONRPCMessage, type JSONRPCMessage, type MessageExtraInfo, type Transport } from '@modelcontextprotocol/server';
import { whenClientDrained } from '../../src/routes/client-drain.js';
import { isPlainObject } from '../plain-object.js';
import type { RequestId } from './plain-request.js';
import { idInUse, requestIdOf } from './request-ids.js';

export interface SseTransportOptions {
  sessionId: string;
  /** Where the client POSTs its messages (sent as the first `endpoint` event). */
  endpoint: string;
  /** Comment frames keep proxies and idle timeouts from cutting a quiet stream; 0 disables. */
  keepAliveMs?: number;
  /**
   * How long a client may take nothing while its stream is over the high-water mark before it is
   * let go (the endpoint's inputTimeoutMs: how long /mcp waits on its client). Default 5 min.
   */
  stallMs?: number;
}

/** Queued bytes past which the reader is waited for (a handful of 1 MB tool results). */
export const SSE_HIGH_WATER_MARK = 1024 * 1024;
/** Queued bytes past which a client that does not read is let go at once, not waited for. */
export const SSE_MAX_QUEUED = 16 * 1024 * 1024;

const encoder = new TextEncoder();

export class SseServerTransport implements Transport {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  /** The GET response: an event stream that lives as long as the session. */
  readonly response: Response;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** 'drain' when the reader takes the queue below the mark, 'close' with the session (client-drain.ts). */
  private readonly flow = new EventEmitter();
  private waiting = false;
  private readonly stallMs: number;
  /**
   * Requests received and not answered (request-ids.ts): an id is refused while in here, and leaves
   * with its answer, or with the client's notifications/cancelled (the SDK then sends no answer, and
   * this one stream would carry either request's answer alike).
   */
  private readonly running = new Set<RequestId>();

  constructor(opts: SseTransportOptions) {
    this.sessionId = opts.sessionId;
    this.stallMs = opts.stallMs ?? 5 * 60_000;
    // Counted in bytes, so desiredSize says how far behind the reader is: Node's adapter reads the
    // stream only while the socket takes more, so a client that stops reading backs it up here.
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          controller.enqueue(encoder.encode(`event: endpoint\ndata: ${opts.endpoint}\n\n`));
        },
        // Called when the queue is below the mark again.
        pull: () => void this.flow.emit('drain'),
        // The client went away: the session ends with its stream.
        cancel: () => void this.close(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: SSE_HIGH_WATER_MARK }),
    );
    if (opts.keepAliveMs && opts.keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), opts.keepAliveMs);
      this.keepAlive.unref?.();
    }
    this.response = new Response(stream, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
    });
  }

  async start(): Promise<void> {
    // The stream is already open; Protocol.connect calls this and expects it to resolve.
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('Not connected');
    if (!('method' in message) && 'id' in message && message.id !== null) this.running.delete(message.id as RequestId);
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** One POSTed message; throws (→ 400) when it is not JSON-RPC, or a request whose id is in use. */
  async handleMessage(body: unknown, extra?: MessageExtraInfo): Promise<void> {
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(body);
    } catch (err) {
      const error = new Error(`invalid JSON-RPC message: ${err instanceof Error ? err.message : String(err)}`);
      this.onerror?.(error);
      throw error;
    }
    const id = requestIdOf(message);
    if (id !== undefined) {
      if (this.running.has(id)) throw new Error(idInUse(id));
      this.running.add(id);
    } else if ('method' in message && message.method === 'notifications/cancelled' && isPlainObject(message.params)) {
      const cancelled = message.params.requestId;
      if (typeof cancelled === 'string' || typeof cancelled === 'number') this.running.delete(cancelled);
    }
    this.onmessage?.(message, extra);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.flow.emit('close');
    try {
      this.controller?.close();
    } catch {
      // Already cancelled by the client.
    }
    this.onclose?.();
  }

  private write(frame: string): void {
    if (this.closed || !this.controller) return;
    const bytes = encoder.encode(frame);
    const queued = SSE_HIGH_WATER_MARK - (this.controller.desiredSize ?? 0);
    // Too far behind to wait for: every answer would be held (issue 20: 200 MB for 200 calls).
    if (queued + bytes.byteLength > SSE_MAX_QUEUED) {
      this.giveUp();
      return;
    }
    try {
      this.controller.enqueue(bytes);
    } catch (err) {
      this.onerror?.(err as Error);
      void this.close();
      return;
    }
    if ((this.controller.desiredSize ?? 1) > 0 || this.waiting) return;
    this.waiting = true;
    whenClientDrained(
      this.flow,
      () => (this.waiting = false),
      this.stallMs,
      () => this.giveUp(),
    );
  }

  /**
   * Lets a client go that does not read: erroring the stream drops what is queued (Node's adapter
   * destroys the response, and its socket buffers), and the session ends, which aborts its running
   * calls (recorded 499 client_closed, tool-call-ledger.ts).
   */
  private giveUp(): void {
    if (this.closed) return;
    // The code Node gives a client that left: @hono/node-server then logs one info line, not an error.
    const left = Object.assign(new Error('tollgate: the client did not read its event stream'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    this.controller?.error(left);
    void this.close();
  }
}

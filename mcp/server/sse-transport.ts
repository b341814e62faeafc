// The deprecated HTTP+SSE transport (protocol 2024-11-05), server side, on web-standard streams so
// it fits Hono like the SDK's WebStandardStreamableHTTPServerTransport does. The SDK's own
// SSEServerTransport needs a Node ServerResponse, which would tie /mcp to one HTTP adapter.
// Spec: https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
import { parseJSONRPCMessage, type JSONRPCMessage, type MessageExtraInfo, type Transport } from '@modelcontextprotocol/server';
import { MCP_STREAM_DEFAULTS } from '../../src/config-mcp-stream.js';
import { BoundedEventStream } from './bounded-stream.js';
import type { Deliveries } from './deliveries.js';
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
  /** Queued bytes past which the reader is waited for (bounded-stream.ts; default 1 MB). */
  highWaterMark?: number;
  /** Queued bytes past which a client that does not read is let go at once (default 16 MB). */
  maxQueued?: number;
}

const encoder = new TextEncoder();

export class SseServerTransport implements Transport {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  /** The GET response: an event stream that lives as long as the session. */
  readonly response: Response;
  private readonly stream: BoundedEventStream;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** Told whether each answer reached the client (the ledger's 200 or 499; set by endpoint-sessions.ts). */
  deliveries: Deliveries | undefined;
  /**
   * Requests received and not answered (request-ids.ts): an id is refused while in here, and leaves
   * with its answer, or with the client's notifications/cancelled (the SDK then sends no answer, and
   * this one stream would carry either request's answer alike).
   */
  private readonly running = new Set<RequestId>();

  constructor(opts: SseTransportOptions) {
    this.sessionId = opts.sessionId;
    const bounds = {
      highWaterMark: opts.highWaterMark ?? MCP_STREAM_DEFAULTS.highWaterMark,
      maxQueued: opts.maxQueued ?? MCP_STREAM_DEFAULTS.maxQueued,
      stallMs: opts.stallMs ?? 5 * 60_000,
    };
    // A client let go (too far behind, or stalled) ends the session, which aborts its running calls
    // (recorded 499 client_closed, tool-call-ledger.ts); one that disconnects ends it too.
    this.stream = new BoundedEventStream(bounds, { gaveUp: () => void this.close(), cancelled: () => void this.close() });
    this.stream.write(encoder.encode(`event: endpoint\ndata: ${opts.endpoint}\n\n`));
    if (opts.keepAliveMs && opts.keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.stream.write(encoder.encode(': keep-alive\n\n')), opts.keepAliveMs);
      this.keepAlive.unref?.();
    }
    this.response = new Response(this.stream.readable, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
    });
  }

  async start(): Promise<void> {
    // The stream is already open; Protocol.connect calls this and expects it to resolve.
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('Not connected');
    const answerTo = !('method' in message) && 'id' in message && message.id !== null ? (message.id as RequestId) : undefined;
    if (answerTo !== undefined) this.running.delete(answerTo);
    const fate = answerTo === undefined ? undefined : this.deliveries?.take(answerTo);
    this.stream.write(encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`), fate);
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
    this.stream.end();
    this.onclose?.();
  }
}

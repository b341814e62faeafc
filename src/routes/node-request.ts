// Cheap access to the Node request behind Hono. Touching `c.req.raw.signal` or `c.req.raw.body`
// makes @hono/node-server build a full WHATWG Request (AbortController, web stream) for every call;
// the chat route needs neither, so it reads the Node objects directly. Without Node bindings
// (app.request() in tests) it falls back to the standard Request. The Node-level halves are also
// what the hot routes' own listener uses (node-hot-routes.ts).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { SseSink } from '../chat/sse-channel.js';
import type { HeaderSource } from '../governance/keys.js';
import { Disconnect } from '../upstream/cancel.js';
import { whenClientDrained } from './client-drain.js';

type NodeEnv = { Bindings: Partial<HttpBindings> };

function bindings(c: Context): Partial<HttpBindings> | undefined {
  return (c as Context<NodeEnv>).env;
}

/** Header lookup on Node's own parsed headers (names are lower-case there). A class, not a closure per request. */
class NodeHeaders implements HeaderSource {
  constructor(private readonly headers: IncomingHttpHeaders) {}
  get(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** A HeaderSource over Node's parsed headers (also for requests Hono never sees: WebSocket upgrades, the hot routes). */
export function nodeHeaders(headers: IncomingHttpHeaders): HeaderSource {
  return new NodeHeaders(headers);
}

export function headersOf(c: Context): HeaderSource {
  const incoming = bindings(c)?.incoming;
  return incoming ? nodeHeaders(incoming.headers) : c.req.raw.headers;
}

/** Aborts when the client goes away before the response has been fully written. */
export function nodeDisconnectSignal(outgoing: ServerResponse): AbortSignal {
  const controller = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * The same as a Disconnect (upstream/cancel.ts): no AbortSignal unless the request needs one. The
 * chat route's upstream call listens to it directly; reading `.signal` on every request cost an
 * EventTarget and an 'abort' listener added and removed per upstream call (bench/README.md).
 */
export function nodeDisconnect(outgoing: ServerResponse): Disconnect {
  const gone = new Disconnect();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) gone.abort();
  });
  return gone;
}

export function disconnectSignal(c: Context): AbortSignal {
  const outgoing = bindings(c)?.outgoing;
  return outgoing ? nodeDisconnectSignal(outgoing as ServerResponse) : c.req.raw.signal;
}

/** The declared body length of a Node request, or undefined for chunked/unknown. */
export function nodeContentLength(headers: IncomingHttpHeaders): number | undefined {
  if (headers['transfer-encoding']) return undefined;
  const value = headers['content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The declared body length, or undefined for chunked/unknown. */
export function contentLength(c: Context): number | undefined {
  const incoming = bindings(c)?.incoming;
  if (incoming) return nodeContentLength(incoming.headers);
  if (c.req.raw.headers.get('transfer-encoding')) return undefined;
  const value = c.req.raw.headers.get('content-length');
  if (value === null) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * SSE frames written straight to Node's response, skipping a web stream per frame. Frames made in
 * one turn of the event loop (one upstream read holds several) leave as one chunk in one write:
 * they are joined into one string, written in the check phase (setImmediate; the next tick came
 * too soon: the upstream body's frames arrive a few ticks after its head) or by end(). Unbuffered,
 * a stream cost the client's socket one writev more than the bare floor's: on loopback the most
 * expensive call on this path (bench/README.md, "SSE"). Corked instead of joined, that one writev
 * carried three buffers per frame (chunk size, frame, CRLF): ~30 for a short answer, and the
 * kernel's time in it grew with their number.
 */
export function nodeSink(
  outgoing: ServerResponse,
  headers: Record<string, string>,
  requestId: string,
  extra?: Record<string, string>,
): SseSink {
  return new NodeSink(outgoing, headers, requestId, extra);
}

/**
 * nodeSink's sink: one object with its methods instead of six closures made per stream; the
 * check-phase flush gets the sink as setImmediate's argument instead of a closure. A stream's sink
 * is made before its upstream call is sent, so whatever it costs delays that call.
 */
class NodeSink implements SseSink {
  private readonly pending = new PendingFrames();
  private scheduled = false;

  /** `extra`: headers over `headers` (read at open, so a caller may add to it until the first frame). */
  constructor(
    private readonly outgoing: ServerResponse,
    private readonly headers: Record<string, string>,
    private readonly requestId: string,
    private readonly extra: Record<string, string> | undefined,
  ) {}

  open(): void {
    // Not `{ ...headers, more }`: on Node 20 that literal gets a map of its own per call (see messages/handler.ts).
    this.outgoing.writeHead(200, Object.assign({}, this.headers, this.extra, { 'x-request-id': this.requestId }));
  }

  // A client that left is handled by the close event (disconnectSignal); writes after that go nowhere.
  write(text: string): void {
    if (this.outgoing.destroyed) return;
    this.pending.text(text);
    this.schedule();
  }

  bytes(chunk: Buffer, start: number, end: number): void {
    if (this.outgoing.destroyed) return;
    this.pending.bytes(chunk, start, end);
    this.schedule();
  }

  end(): void {
    if (this.outgoing.destroyed) return;
    this.outgoing.end(this.pending.take());
  }

  /** The client's back-pressure (a Flow: the upstream is not read meanwhile): its socket is backed up. */
  get full(): boolean {
    return this.outgoing.writableNeedDrain;
  }

  whenDrained(go: () => void, stallMs: number): void {
    const outgoing = this.outgoing;
    // A client that takes nothing for stallMs is gone for the gateway: its socket is destroyed, and
    // 'close' (the disconnect signal) ends the request as any client leaving does (recorded, 499).
    whenClientDrained(outgoing, go, stallMs, () => outgoing.destroy());
  }

  /** Writes what the turn made (setImmediate's callback: the check phase after it). */
  static flush(sink: NodeSink): void {
    sink.scheduled = false;
    const outgoing = sink.outgoing;
    if (sink.pending.empty || outgoing.destroyed || outgoing.writableEnded) return;
    outgoing.write(sink.pending.take());
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(NodeSink.flush, this);
  }
}

/**
 * What a sink has to write, in order: text frames joined into one string; upstream bytes (a
 * pass-through's frames as they came) kept as a range of their chunk, grown while the next range
 * follows it in the same chunk, so a whole upstream read relayed unchanged leaves as that read's own
 * bytes, neither copied nor encoded. Text and bytes mixed (rarer: the gateway's own events between
 * upstream ones) are joined into one buffer, so a turn's frames still leave in one write.
 */
export class PendingFrames {
  private pending = '';
  /** Finished pieces, in order, once bytes came since the last take. */
  private parts: (string | Buffer)[] | undefined;
  private run: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;

  get empty(): boolean {
    return this.pending === '' && this.run === undefined && this.parts === undefined;
  }

  text(text: string): void {
    if (this.run) this.closeRun();
    this.pending += text;
  }

  bytes(chunk: Buffer, start: number, end: number): void {
    if (this.run === chunk && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    if (this.pending !== '') {
      (this.parts ??= []).push(this.pending);
      this.pending = '';
    }
    if (this.run) this.closeRun();
    this.run = chunk;
    this.runStart = start;
    this.runEnd = end;
  }

  /** Everything pending, as one piece; empties it. */
  take(): string | Buffer {
    const parts = this.parts;
    if (parts === undefined && this.run === undefined) {
      const text = this.pending;
      this.pending = '';
      return text;
    }
    if (parts === undefined && this.pending === '') {
      const run = this.run!;
      const whole = this.runStart === 0 && this.runEnd === run.length;
      const out = whole ? run : run.subarray(this.runStart, this.runEnd);
      this.run = undefined;
      return out;
    }
    if (this.run) this.closeRun();
    const all = this.parts!;
    if (this.pending !== '') all.push(this.pending);
    this.pending = '';
    this.parts = undefined;
    return Buffer.concat(all.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
  }

  private closeRun(): void {
    (this.parts ??= []).push(this.run!.subarray(this.runStart, this.runEnd));
    this.run = undefined;
  }
}

export function nodeSseSink(c: Context, headers: Record<string, string>): ((requestId: string) => SseSink) | undefined {
  const outgoing = bindings(c)?.outgoing;
  if (!outgoing) return undefined;
  return (requestId) => nodeSink(outgoing as ServerResponse, headers, requestId);
}

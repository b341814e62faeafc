// The bound on what /mcp holds for an event stream its client does not read (README, Guarantees:
// Isolation), for every /mcp event stream: the HTTP+SSE session stream (sse-transport.ts) and the
// Streamable HTTP ones (SSE answers to POST /mcp, GET /mcp, 2026-07-28 listen streams), which the
// SDK writes into web streams that queue whatever is enqueued, however much, however long.
//
// The stream keeps its own queue, counted in bytes, and hands a frame to the HTTP response only
// when it asks for one (highWaterMark 0): Node's adapters read while the socket takes more, so a
// client that stops reading leaves its frames here, where they are counted. Past `highWaterMark`
// queued the client is waited for (client-drain.ts) at most `stallMs`; past `maxQueued`, or after
// that wait, it is let go: the stream is errored (the adapter destroys the response) and what was
// queued is dropped. Each frame may carry its fate: told true when the response took it, false when
// it was dropped, so the ledger can say which answers the client never got (deliveries.ts).
import { EventEmitter } from 'node:events';
import { whenClientDrained } from '../../src/routes/client-drain.js';

/** Config mcpEndpoint.streamHighWaterMark / streamMaxQueued; their defaults are src/config-mcp-stream.ts's. */
export interface StreamBounds {
  /** Queued bytes past which the reader is waited for. */
  highWaterMark: number;
  /** Queued bytes past which a client that does not read is let go at once. */
  maxQueued: number;
  /** How long a client over the high-water mark may take nothing (the endpoint's inputTimeoutMs). */
  stallMs: number;
}

/** Whether a frame reached the response (true) or was dropped with the stream (false); told once. */
export type Fate = (delivered: boolean) => void;

interface Frame {
  bytes: Uint8Array;
  fate: Fate | undefined;
}

export interface BoundedHooks {
  /** The client let go (too far behind or stalled), after the stream was errored. */
  gaveUp?: () => void;
  /** The reader went away (the client disconnected). */
  cancelled?: () => void;
}

const noop = () => undefined;

export class BoundedEventStream {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private frames: Frame[] = [];
  private head = 0;
  private queued = 0;
  /** The response asked for a frame and none was there: the next write goes straight to it. */
  private asked = false;
  private ending = false;
  private done = false;
  /** 'drain' when the reader takes the queue below the mark, 'close' when the stream ends. */
  private readonly flow = new EventEmitter();
  private waiting = false;

  constructor(
    private readonly bounds: StreamBounds,
    private readonly hooks: BoundedHooks = {},
  ) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: () => {
          this.drop();
          this.hooks.cancelled?.();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Bytes waiting for the client. */
  get queuedBytes(): number {
    return this.queued;
  }

  get closed(): boolean {
    return this.done || this.ending;
  }

  write(bytes: Uint8Array, fate?: Fate): void {
    if (this.done || this.ending) {
      fate?.(false);
      return;
    }
    if (this.asked) {
      this.asked = false;
      this.controller.enqueue(bytes);
      fate?.(true);
      return;
    }
    // Too far behind to wait for: every answer would be held (issue 20: 200 MB for 200 calls). One
    // frame larger than the bound is queued alone (it is in memory already): a client that reads
    // gets a large answer; one that does not is let go at the next frame, or the stall.
    if (this.queued > 0 && this.queued + bytes.byteLength > this.bounds.maxQueued) {
      fate?.(false);
      this.giveUp();
      return;
    }
    this.frames.push({ bytes, fate });
    this.queued += bytes.byteLength;
    if (this.queued <= this.bounds.highWaterMark || this.waiting) return;
    this.waiting = true;
    whenClientDrained(
      this.flow,
      () => (this.waiting = false),
      this.bounds.stallMs,
      () => this.giveUp(),
    );
  }

  /** Ends the stream once the client has taken what is queued. */
  end(): void {
    if (this.done || this.ending) return;
    this.ending = true;
    if (this.head === this.frames.length) this.finish();
  }

  /**
   * Lets a client go that does not read: erroring the stream drops what is queued (Node's adapter
   * destroys the response, and its socket buffers); the frames' fates are told false.
   */
  giveUp(): void {
    if (this.done) return;
    this.drop();
    // The code Node gives a client that left: @hono/node-server then logs one info line, not an error.
    const left = Object.assign(new Error('tollgate: the client did not read its event stream'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    try {
      this.controller.error(left);
    } catch {
      // Already closed.
    }
    this.hooks.gaveUp?.();
  }

  private pull(): void {
    if (this.head === this.frames.length) {
      if (this.ending) this.finish();
      else this.asked = true;
      return;
    }
    const frame = this.frames[this.head]!;
    this.frames[this.head++] = undefined as never;
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    }
    this.queued -= frame.bytes.byteLength;
    this.controller.enqueue(frame.bytes);
    frame.fate?.(true);
    if (this.waiting && this.queued <= this.bounds.highWaterMark) this.flow.emit('drain');
    if (this.ending && this.head === this.frames.length) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.flow.emit('close');
    try {
      this.controller.close();
    } catch {
      // Cancelled by the client.
    }
  }

  /** Forgets the queue, telling each frame's fate it was not delivered. */
  private drop(): void {
    if (this.done) return;
    this.done = true;
    const left = this.frames.slice(this.head);
    this.frames = [];
    this.head = 0;
    this.queued = 0;
    this.flow.emit('close');
    for (const frame of left) frame.fate?.(false);
  }
}

/** Frames the SDK transport wrote whose fate someone waits for (session-transport.ts tags answers). */
const fates = new WeakMap<Uint8Array, Fate>();

/** Tells `boundedResponse` that this chunk, when it reaches it, carries `fate`. */
export function tagFrame(bytes: Uint8Array, fate: Fate): void {
  fates.set(bytes, fate);
}

/** Tells a tagged chunk's fate (once); for chunks read other than through boundedResponse. */
export function settleFrame(bytes: Uint8Array | undefined, delivered: boolean): void {
  if (!bytes) return;
  const fate = fates.get(bytes);
  fates.delete(bytes);
  fate?.(delivered);
}

/**
 * `response` with its event stream (if it is one) bounded: its body is read as fast as it comes
 * (the SDK's web stream holds nothing) into a BoundedEventStream, which the client reads.
 * `gaveUp`: what else ends when the client is let go (e.g. a Node response the relay writes).
 */
export function boundedResponse(response: Response, bounds: StreamBounds, gaveUp?: () => void): Response {
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
  const reader = response.body.getReader();
  const release = () => void reader.cancel().catch(noop);
  const out = new BoundedEventStream(bounds, {
    cancelled: release,
    gaveUp: () => {
      release();
      gaveUp?.();
    },
  });
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const fate = fates.get(value);
        if (fate) fates.delete(value);
        out.write(value, fate);
      }
      out.end();
    } catch {
      out.giveUp();
    }
  })();
  return new Response(out.readable, { status: response.status, statusText: response.statusText, headers: response.headers });
}

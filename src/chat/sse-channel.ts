// The SSE body of a streamed chat response. It starts only when there is something to send, so a
// request that fails before its first frame still gets a proper HTTP error status instead of a
// 200 stream; after that, a failure ends the stream with an error frame, never a silent cut.
import { sseComment, sseData, sseDataText, SSE_DONE, sseError } from '../openai/sse.js';
import type { GatewayError } from '../errors.js';
import type { Flow } from '../upstream/client.js';

/** Where frames go: a web ReadableStream (any runtime), or Node's response written directly. */
export interface SseSink {
  /** Called once, before the first frame (send the status and headers here). */
  open(): void;
  write(text: string): void;
  /**
   * Optional: bytes that are whole frames as they are to go out (a pass-through's upstream frames as
   * they came), in order with what `write` takes; without it they are written as text.
   */
  bytes?(chunk: Buffer, start: number, end: number): void;
  end(): void;
  /** Optional, with `whenDrained` (a Flow): the client is backed up; the upstream waits for it. */
  readonly full?: boolean;
  whenDrained?(go: () => void, stallMs: number): void;
}

export class SseChannel {
  /** Resolves at the first frame. */
  readonly started: Promise<void>;
  private markStarted!: () => void;
  private closed = false;
  isStarted = false;
  /** The sink's back-pressure, for whoever reads the upstream (UpstreamStream.read), if it has one. */
  readonly flow: Flow | undefined;

  constructor(private readonly sink: SseSink) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.flow = sink.whenDrained ? (sink as Flow) : undefined;
  }

  /** The reader went away: stop writing. */
  cancel(): void {
    this.closed = true;
  }

  private write(text: string): void {
    if (this.writable()) this.sink.write(text);
  }

  /** Frames already in bytes, to go out as they are (upstream/frame-spans.ts). */
  bytes(chunk: Buffer, start: number, end: number): void {
    if (!this.writable()) return;
    if (this.sink.bytes) this.sink.bytes(chunk, start, end);
    else this.sink.write(chunk.toString('utf8', start, end));
  }

  /** Whether a frame may be written now (not closed); opens the sink before the first. */
  private writable(): boolean {
    if (this.closed) return false;
    if (!this.isStarted) {
      this.isStarted = true;
      this.sink.open();
      // Whoever awaits the start (the handler, then the route: its metrics) runs in the check
      // phase, after this turn's frames: an answer whose events arrive in one read is written and
      // ended first, instead of waiting for them between the upstream's bytes and the client's.
      setImmediate(this.markStarted);
    }
    return true;
  }

  /** A frame exactly as given (surfaces with their own framing: Messages' named events). */
  raw(text: string): void {
    this.write(text);
  }

  /** Ends the stream without chat's [DONE] terminator. */
  end(): void {
    this.close();
  }

  data(value: unknown): void {
    this.write(sseData(value));
  }

  /** A data frame whose JSON is already text. */
  dataText(json: string): void {
    this.write(sseDataText(json));
  }

  comment(text: string): void {
    this.write(sseComment(text));
  }

  /** Normal end: the [DONE] terminator. */
  done(): void {
    this.write(SSE_DONE);
    this.close();
  }

  fail(err: GatewayError): void {
    this.write(sseError(err));
    this.write(SSE_DONE);
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end();
  }
}

const encoder = new TextEncoder();

/** A web ReadableStream sink, for runtimes without Node's response object (e.g. app.request()). */
export function webStreamSink(onCancel: () => void): SseSink & { body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: onCancel,
  });
  return {
    body,
    open: () => undefined,
    write: (text) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

/**
 * The channel for one streamed answer: written straight to Node's response when the route gave a
 * sink, else into a web ReadableStream (returned as `body`) whose reader cancelling it is a client
 * that went away: the channel stops and `onClientGone` runs.
 */
export function openSseChannel<C extends SseChannel>(
  make: (sink: SseSink) => C,
  input: { requestId: string; sseSink?: ((requestId: string) => SseSink) | undefined },
  onClientGone: () => void,
): { channel: C; body?: ReadableStream<Uint8Array> } {
  if (input.sseSink) return { channel: make(input.sseSink(input.requestId)) };
  const web = webStreamSink(() => {
    channel.cancel();
    onClientGone();
  });
  const channel = make(web);
  return { channel, body: web.body };
}

// A response body for SSE that starts only when there is something to send, so a request that
// fails before its first frame still gets a proper HTTP error status instead of a 200 stream.
import { sseComment, sseData, SSE_DONE, sseError } from '../openai/sse.js';
import type { GatewayError } from '../errors.js';

const encoder = new TextEncoder();

export class SseChannel {
  readonly body: ReadableStream<Uint8Array>;
  /** Resolves at the first frame. */
  readonly started: Promise<void>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private markStarted!: () => void;
  private closed = false;
  isStarted = false;

  constructor(onCancel: () => void) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.closed = true;
        onCancel();
      },
    });
  }

  private write(text: string): void {
    if (this.closed) return;
    if (!this.isStarted) {
      this.isStarted = true;
      this.markStarted();
    }
    this.controller.enqueue(encoder.encode(text));
  }

  data(value: unknown): void {
    this.write(sseData(value));
  }

  comment(text: string): void {
    this.write(sseComment(text));
  }

  /** Normal end: the [DONE] terminator. */
  done(): void {
    this.write(SSE_DONE);
    this.close();
  }

  /** A failure after the stream started ends with an error frame, never a silent cut. */
  fail(err: GatewayError): void {
    this.write(sseError(err));
    this.write(SSE_DONE);
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.close();
  }
}

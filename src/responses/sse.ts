// The SSE body of a streamed Responses answer: named events (`event:` and `data:` lines, as OpenAI
// sends them), no [DONE] terminator. Like the chat channel it starts only at the first frame, so a
// request that fails before it still gets a proper HTTP error status.
import { sseComment } from '../openai/sse.js';
import type { SseSink } from '../chat/sse-channel.js';
import type { StreamEvent } from '../wire/responses/types.js';

export class ResponsesSse {
  readonly started: Promise<void>;
  private markStarted!: () => void;
  private closed = false;
  isStarted = false;

  constructor(private readonly sink: SseSink) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
  }

  cancel(): void {
    this.closed = true;
  }

  private write(text: string): void {
    if (this.closed) return;
    if (!this.isStarted) {
      this.isStarted = true;
      this.sink.open();
      this.markStarted();
    }
    this.sink.write(text);
  }

  /** A frame as the upstream sent it (pass-through relay). */
  raw(frame: string): void {
    this.write(frame);
  }

  event(e: StreamEvent): void {
    this.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  }

  comment(text: string): void {
    this.write(sseComment(text));
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end();
  }
}

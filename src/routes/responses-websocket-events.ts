// The handler writes a response as SSE frames; over WebSocket each event is one text message holding
// the frame's `data:` JSON (the same objects as on SSE). Comments (keep-alives) are dropped.
import type { SseSink } from '../chat/sse-channel.js';
import type { Item } from './responses-websocket-continuation.js';

/** SSE frames from the handler become one WebSocket message per event. */
export class EventSink implements SseSink {
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

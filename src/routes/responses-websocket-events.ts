// The handler writes a response as SSE frames; over WebSocket each event is one text message holding
// the frame's `data:` JSON (the same objects as on SSE). Comments (keep-alives) are dropped.
// Back-pressure as on HTTP streams (node-request.ts NodeSink): while the connection's socket is over
// its high-water mark the upstream is not read, so a client that stops reading pins socket buffers,
// not the answer (without it, a 64 MB answer to a paused client sat whole in the socket's buffer).
import type { Duplex } from 'node:stream';
import type { SseSink } from '../chat/sse-channel.js';
import { type GatewayError, renderError } from '../errors.js';
import { whenClientDrained } from './client-drain.js';
import type { Item } from './responses-websocket-continuation.js';

/**
 * The error event of a Responses WebSocket connection, `{"type":"error","status":N,"error":{…}}`: a
 * request that failed before its stream started, or a connection that cannot go on.
 */
export const errorEvent = (err: GatewayError): string => JSON.stringify({ type: 'error', status: err.status, ...renderError(err) });

/** SSE frames from the handler become one WebSocket message per event. */
export class EventSink implements SseSink {
  private buffer = '';
  completed: { id: string; output: Item[] } | undefined;
  /** Resolves when the handler ends the stream. */
  readonly ended: Promise<void>;
  private markEnded!: () => void;

  /**
   * `socket`: the connection's, which ws writes each message to as it is sent (permessage-deflate is
   * off, so ws keeps no queue of its own); `giveUp`: the client took nothing for `stallMs`.
   */
  constructor(
    private readonly send: (text: string) => void,
    private readonly socket: Duplex,
    private readonly giveUp: (stallMs: number) => void,
  ) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
  }

  /** The client's back-pressure (a Flow: the upstream is not read meanwhile): its socket is backed up. */
  get full(): boolean {
    return this.socket.writableNeedDrain;
  }

  whenDrained(go: () => void, stallMs: number): void {
    whenClientDrained(this.socket, go, stallMs, () => this.giveUp(stallMs));
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

// The SSE side of a streamed Messages response: frames go out through the shared SseChannel (which
// starts the HTTP response at the first frame, so a request failing before it still gets a proper
// error status), with synthetic pings whenever nothing was written for `pingIntervalMs` (Claude Code
// gives up on a stream after 300 s of silence; the gateway may be running tools, or an upstream may
// not ping). A failure after the start ends the stream with an Anthropic `error` event.
import { SseChannel, webStreamSink, type SseSink } from '../chat/sse-channel.js';
import type { LinkedSignal } from '../chat/deadline.js';
import type { Flow } from '../upstream/client.js';
import type { GatewayError } from '../errors.js';
import { eventFrame, PING_FRAME } from '../wire/messages/sse.js';
import { renderAnthropicError } from '../wire/messages/errors.js';

export class MessagesChannel {
  readonly channel: SseChannel;
  /** For runtimes without Node's response: the web stream the route returns. */
  readonly body: ReadableStream<Uint8Array> | undefined;
  private lastWrite = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  /** `client`: the request's own controller, for a web stream's reader that cancels (Node's response has the disconnect signal). */
  constructor(sink: SseSink | undefined, client: LinkedSignal | undefined) {
    if (sink) {
      this.channel = new SseChannel(sink);
      this.body = undefined;
    } else {
      const web = webStreamSink(() => {
        this.channel.cancel();
        client?.abort();
      });
      this.channel = new SseChannel(web);
      this.body = web.body;
    }
    this.flow = this.channel.flow;
  }

  /** The client's back-pressure, for the relay's upstream read (RelayTarget). */
  readonly flow: Flow | undefined;

  frame(text: string): void {
    this.lastWrite = Date.now();
    this.channel.raw(text);
  }

  /** Frames as the upstream's own bytes (relay.ts). */
  bytes(chunk: Buffer, start: number, end: number): void {
    this.lastWrite = Date.now();
    this.channel.bytes(chunk, start, end);
  }

  /**
   * Pings every `intervalMs` of silence. `beforeStart` runs when the first ping is due before any
   * frame (a translated stream opens its message then); without it pings wait for the first frame,
   * so their timer is made only once the stream has started and is still open after that turn
   * (the channel's `started`, resolved in the check phase after the first frame): an answer whose
   * events all arrive in one read has ended by then and never makes one (issue 20: a setInterval,
   * its unref and clearInterval per streamed request, for a timer that never fired).
   */
  keepAlive(intervalMs: number, beforeStart?: () => void): void {
    this.lastWrite = Date.now();
    if (beforeStart) {
      this.startPings(intervalMs, beforeStart);
      return;
    }
    void this.channel.started.then(() => {
      if (!this.stopped) this.startPings(intervalMs, undefined);
    });
  }

  private startPings(intervalMs: number, beforeStart: (() => void) | undefined): void {
    this.timer = setInterval(() => {
      if (Date.now() - this.lastWrite < intervalMs) return;
      if (!this.channel.isStarted) {
        if (!beforeStart) return;
        beforeStart();
      }
      this.frame(PING_FRAME);
    }, intervalMs);
    this.timer.unref?.();
  }

  end(): void {
    this.stop();
    this.channel.end();
  }

  /** An error after the stream started: the upstream's own error event when it was relayed, else ours. */
  fail(err: GatewayError, requestId: string, relayedFrame?: string): void {
    this.stop();
    this.channel.raw(relayedFrame ?? eventFrame(renderAnthropicError(err, requestId) as unknown as { type: string }));
    this.channel.end();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

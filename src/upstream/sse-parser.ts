// The SSE reader for upstream streams: bytes in, SseEvent values out (to the provider adapters, and
// with comment lines to the pass-through relays, src/chat/native-upstream.ts).
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import type { SseEvent } from '../../providers/types.js';

/**
 * Reads the events of a byte stream as they arrive: `onEvent` runs for each, synchronously, inside
 * the stream's own data callback. Resolves at the body's end; rejects with the stream's error, or
 * with what `onEvent` threw (the body is then destroyed: nothing more is read). Frames split
 * across chunks are reassembled. `onComment`, when given, gets comment lines (`: text`) in stream
 * order with the events, the same way.
 *
 * Why not an async generator: every event then crossed three of them
 * (the body's iterator, the parser's, the adapter's) and the consumer's `for await`: several
 * promise hops per event on the path between the upstream's bytes and the client's, for an answer
 * whose events all arrive in one read (issue 20, chat SSE added latency).
 */
export function readSse(body: Readable, onEvent: (event: SseEvent) => void, onComment?: (text: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const feeder = sseFeeder(onEvent, onComment);
    // Listeners stay attached once settled (removing them from a Readable cost ~3 µs a request):
    // each checks `settled`. The error listener matters: a body destroyed before its end (below,
    // or by undici when the request is aborted later) still emits an error, which must not become
    // an uncaught exception.
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      body.destroy();
      reject(err);
    };
    const onData = (chunk: Uint8Array | string) => {
      if (settled) return;
      try {
        feeder.write(chunk);
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      try {
        feeder.end();
      } catch (err) {
        reject(err);
        return;
      }
      resolve();
    };
    const onError = (err: Error) => fail(err);
    // Closed without an end or an error (destroyed): cut short, like the stream iterator's premature close.
    const onClose = () => {
      if (!settled && !body.readableEnded)
        fail(Object.assign(new Error('upstream body closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

/** An SSE reader fed by hand: `write` each chunk as it arrives, `end` at the body's end. `onEvent` runs inside them (what it throws comes out of them). */
export interface SseFeeder {
  write(chunk: Uint8Array | string): void;
  end(): void;
}

export function sseFeeder(onEvent: (event: SseEvent) => void, onComment?: (text: string) => void): SseFeeder {
  const parser = createParser({
    onEvent: (e) => onEvent(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }),
    ...(onComment ? { onComment } : {}),
  });
  // StringDecoder, not TextDecoder: a TextDecoder per stream cost an ICU converter (~7 µs per
  // request in the sequential profile, issue 20); both keep a character split across chunks whole.
  const decoder = new StringDecoder('utf8');
  return {
    write: (chunk) => parser.feed(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
    end() {
      parser.feed(decoder.end());
      parser.reset({ consume: true });
    },
  };
}

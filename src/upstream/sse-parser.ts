// The SSE reader for upstream streams: bytes in, SseEvent values out (to the provider adapters, and
// with comment lines to the pass-through relays, src/chat/native-upstream.ts).
import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import type { SseEvent } from '../../providers/types.js';

/**
 * An SSE reader fed by hand: `write` each chunk as it arrives, `end` at the body's end. `onEvent`
 * runs for each event synchronously inside `write` (what it throws comes out of `write`); frames
 * split across chunks are reassembled, and an event the body ends in the middle of is dropped, as
 * the SSE spec says. `onComment`, when given, gets comment lines (`: text`) in stream order with
 * the events, the same way.
 *
 * Why pushed, not an async generator: every event then crossed three of them (the body's iterator,
 * the parser's, the adapter's) and the consumer's `for await`: several promise hops per event on
 * the path between the upstream's bytes and the client's, for an answer whose events all arrive in
 * one read (issue 20, chat SSE added latency). The upstream client hands each chunk over as undici
 * reads it (UpstreamStream.read, src/upstream/dispatch-answers.ts).
 */
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

// The one SSE parser for upstream streams: bytes in, SseEvent values out (to the adapters).
import { createParser } from 'eventsource-parser';
import type { SseEvent } from '../../providers/types.js';

/** Async-iterates the events of a byte stream. Frames split across chunks are reassembled. */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => queue.push(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (queue.length) yield queue.shift()!;
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  while (queue.length) yield queue.shift()!;
}

/** An SSE comment line (`: text`), which a relaying surface forwards like an event. */
export interface SseComment {
  comment: string;
}

/** Like parseSse, with comment lines too, in stream order (for relays that pass them on). */
export async function* parseSseWithComments(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent | SseComment> {
  const queue: (SseEvent | SseComment)[] = [];
  const parser = createParser({
    onEvent: (e) => queue.push(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }),
    onComment: (comment) => queue.push({ comment }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (queue.length) yield queue.shift()!;
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  while (queue.length) yield queue.shift()!;
}

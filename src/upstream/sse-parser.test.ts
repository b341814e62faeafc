import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SseEvent } from '../../providers/types.js';
import { sseFeeder } from './sse-parser.js';

function eventsOf(parts: (string | Uint8Array)[]): SseEvent[] {
  const events: SseEvent[] = [];
  const feeder = sseFeeder((e) => events.push(e));
  for (const part of parts) feeder.write(part);
  feeder.end();
  return events;
}

describe('sseFeeder', () => {
  test('reassembles frames split across chunks, multi-byte characters included', () => {
    const bytes = Buffer.from('data: {"t":"héllo"}\n\nevent: ping\ndata: a\ndata: b\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const events = eventsOf([bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)]);
    assert.deepEqual(events, [{ data: '{"t":"héllo"}' }, { event: 'ping', data: 'a\nb' }]);
  });

  test('an event the body ends in the middle of is dropped, as the SSE spec says', () => {
    assert.deepEqual(eventsOf(['data: one\n\n', 'data: two\n']), [{ data: 'one' }]);
  });

  test('each event reaches the callback inside the write that completes it; comments come in stream order', () => {
    const seen: string[] = [];
    const feeder = sseFeeder(
      (e) => seen.push(e.data),
      (c) => seen.push(`:${c}`),
    );
    feeder.write('data: first\n\n: keep-alive\n\ndata: sec');
    assert.deepEqual(seen, ['first', ':keep-alive']);
    feeder.write('ond\n\n');
    assert.deepEqual(seen, ['first', ':keep-alive', 'second']);
    feeder.end();
    assert.deepEqual(seen, ['first', ':keep-alive', 'second']);
  });

  test('what the callback throws comes out of write as is', () => {
    const boom = new Error('consumer failed');
    const feeder = sseFeeder(() => {
      throw boom;
    });
    assert.throws(
      () => feeder.write('data: x\n\n'),
      (err) => err === boom,
    );
  });
});

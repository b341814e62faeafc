import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SseEvent } from '../../providers/types.js';
import { endsInsideCharacter, SseReader, sseFeeder } from './sse-parser.js';

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

describe('SseReader (the line rules eventsource-parser followed before it)', () => {
  function read(parts: string[]): unknown[] {
    const out: unknown[] = [];
    const reader = new SseReader(
      (type, data) => out.push([type, data]),
      (c) => out.push(`:${c}`),
    );
    for (const part of parts) reader.write(part);
    reader.end();
    return out;
  }

  test('LF, CRLF and CR line ends, a CR at the end of a chunk waiting for its LF', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\nevent:b\rdata:2\r\rdata: 3\n\n';
    const whole = read([text]);
    assert.deepEqual(whole, [
      ['a', '1'],
      ['b', '2'],
      [undefined, '3'],
    ]);
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(read([text.slice(0, cut), text.slice(cut)]), whole, `cut at ${cut}`);
  });

  test('fields: multi-line data, no space after the colon, no colon at all, empty event, id/retry/unknown ignored', () => {
    assert.deepEqual(read(['data: a\ndata:b\ndata\nid: 7\nretry: 10\nfoo: bar\nevent:\n\n', 'event\ndata: x\n\n', 'data:\n\n']), [
      [undefined, 'a\nb\n'],
      [undefined, 'x'],
      [undefined, ''],
    ]);
  });

  test('comments in order, one on the unterminated last line included; that line never dispatches', () => {
    assert.deepEqual(read([':one\n: two\ndata: x\n\n', 'data: y\n: last']), [':one', ':two', [undefined, 'x'], ':last']);
  });
});

describe('endsInsideCharacter (when a chunk needs the StringDecoder)', () => {
  test("a chunk cut inside a character, and not, as Node's StringDecoder sees it", () => {
    const euro = Buffer.from('a€'); // 61 e2 82 ac
    assert.equal(endsInsideCharacter(euro), false);
    assert.equal(endsInsideCharacter(euro.subarray(0, 2)), true);
    assert.equal(endsInsideCharacter(euro.subarray(0, 3)), true);
    assert.equal(endsInsideCharacter(Buffer.from([0x80, 0x80])), false);
    assert.equal(endsInsideCharacter(Buffer.from([0xff])), false);
    assert.equal(endsInsideCharacter(Buffer.alloc(0)), false);
  });
});

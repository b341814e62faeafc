import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedEventStream, boundedResponse, tagFrame } from './bounded-stream.js';
import { Deliveries } from './deliveries.js';

const bytes = (n: number, fill = 120) => new Uint8Array(n).fill(fill);
const bounds = { highWaterMark: 100, maxQueued: 300, stallMs: 60_000 };

describe('BoundedEventStream', () => {
  test('a frame is delivered when the reader takes it; end() closes once the queue is read', async () => {
    const fates: boolean[] = [];
    const s = new BoundedEventStream(bounds);
    s.write(bytes(10), (d) => fates.push(d));
    s.write(bytes(20), (d) => fates.push(d));
    s.end();
    assert.equal(s.queuedBytes, 30);
    assert.deepEqual(fates, [], 'nothing is delivered before the reader asks');
    const reader = s.readable.getReader();
    assert.equal((await reader.read()).value?.byteLength, 10);
    assert.deepEqual(fates, [true]);
    assert.equal((await reader.read()).value?.byteLength, 20);
    assert.equal((await reader.read()).done, true);
    assert.deepEqual(fates, [true, true]);
  });

  test('past maxQueued the stream is errored, its queue dropped and every fate told false', async () => {
    const fates: boolean[] = [];
    let gaveUp = 0;
    const s = new BoundedEventStream(bounds, { gaveUp: () => void gaveUp++ });
    for (let i = 0; i < 4; i++) s.write(bytes(100), (d) => fates.push(d));
    assert.deepEqual(fates, [false, false, false, false]);
    assert.equal(gaveUp, 1);
    assert.equal(s.queuedBytes, 0);
    await assert.rejects(s.readable.getReader().read(), /did not read its event stream/);
    s.write(bytes(1), (d) => fates.push(d));
    assert.equal(fates.at(-1), false, 'a write after the end is not delivered');
  });

  test('one frame larger than maxQueued is queued alone and delivered to a reader', async () => {
    const fates: boolean[] = [];
    const s = new BoundedEventStream(bounds);
    s.write(bytes(1000), (d) => fates.push(d));
    assert.equal(s.queuedBytes, 1000);
    assert.equal((await s.readable.getReader().read()).value?.byteLength, 1000);
    assert.deepEqual(fates, [true]);
  });

  test('over the high-water mark, a reader that takes nothing for stallMs is let go', async () => {
    let gaveUp = 0;
    const s = new BoundedEventStream({ ...bounds, stallMs: 30 }, { gaveUp: () => void gaveUp++ });
    s.write(bytes(150));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(gaveUp, 1);
  });

  test('a reader that takes the queue below the mark in time is not let go', async () => {
    let gaveUp = 0;
    const s = new BoundedEventStream({ ...bounds, stallMs: 60 }, { gaveUp: () => void gaveUp++ });
    s.write(bytes(80));
    s.write(bytes(80));
    const reader = s.readable.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(gaveUp, 0);
    assert.equal(s.queuedBytes, 80);
  });

  test('the reader going away tells the queued frames false', async () => {
    const fates: boolean[] = [];
    let cancelled = 0;
    const s = new BoundedEventStream(bounds, { cancelled: () => void cancelled++ });
    s.write(bytes(10), (d) => fates.push(d));
    await s.readable.cancel();
    assert.deepEqual(fates, [false]);
    assert.equal(cancelled, 1);
  });
});

describe('boundedResponse', () => {
  test('a tagged chunk of the wrapped stream is told its fate when the client takes it', async () => {
    const fates: boolean[] = [];
    const chunk = bytes(10);
    tagFrame(chunk, (d) => fates.push(d));
    const inner = new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(chunk);
          c.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
    const res = boundedResponse(inner, bounds);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(fates, []);
    assert.equal((await res.text()).length, 10);
    assert.deepEqual(fates, [true]);
  });

  test('a JSON answer is left as it is', () => {
    const inner = Response.json({ ok: true });
    assert.equal(boundedResponse(inner, bounds), inner);
  });
});

describe('Deliveries', () => {
  test('a fate is told once: by its writer, or false when the session closes', () => {
    const d = new Deliveries();
    const told: [string, boolean][] = [];
    d.expect(1, (ok) => told.push(['a', ok]));
    d.expect(2, (ok) => told.push(['b', ok]));
    d.expect(3, (ok) => told.push(['c', ok]));
    const a = d.take(1)!;
    a(true);
    a(false);
    d.take(2); // handed to a stream that never tells it
    d.settle(3, true);
    d.settle(3, false);
    d.close();
    d.expect(4, (ok) => told.push(['d', ok]));
    assert.deepEqual(told, [
      ['a', true],
      ['c', true],
      ['b', false],
      ['d', false],
    ]);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { SseEvent } from '../../providers/types.js';
import { readSse } from './sse-parser.js';

async function eventsOf(parts: (string | Uint8Array)[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  await readSse(Readable.from(parts), (e) => events.push(e));
  return events;
}

describe('readSse', () => {
  test('reassembles frames split across chunks, multi-byte characters included', async () => {
    const bytes = Buffer.from('data: {"t":"héllo"}\n\nevent: ping\ndata: a\ndata: b\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const events = await eventsOf([bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)]);
    assert.deepEqual(events, [{ data: '{"t":"héllo"}' }, { event: 'ping', data: 'a\nb' }]);
  });

  test('an event the body ends in the middle of is dropped, as the SSE spec says', async () => {
    assert.deepEqual(await eventsOf(['data: one\n\n', 'data: two\n']), [{ data: 'one' }]);
  });

  test('each event reaches the callback as soon as its bytes arrive, before the body ends', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = readSse(body, (e) => seen.push(e.data));
    body.write('data: first\n\n');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['first']);
    body.end('data: second\n\n');
    await done;
    assert.deepEqual(seen, ['first', 'second']);
  });

  test('what the callback throws rejects the read as is and stops the body', async () => {
    const body = new PassThrough();
    const boom = new Error('consumer failed');
    const done = readSse(body, () => {
      throw boom;
    });
    body.write('data: x\n\n');
    await assert.rejects(done, (err) => err === boom);
    assert.equal(body.destroyed, true);
  });

  test("the body's error rejects the read; a body destroyed without one is a premature close", async () => {
    const failing = new PassThrough();
    const failed = readSse(failing, () => undefined);
    failing.destroy(new Error('socket reset'));
    await assert.rejects(failed, /socket reset/);

    const cut = new PassThrough();
    const closed = readSse(cut, () => undefined);
    cut.write('data: partial');
    cut.destroy();
    await assert.rejects(closed, (err: Error & { code?: string }) => err.code === 'ERR_STREAM_PREMATURE_CLOSE');
  });

  test('an error the body emits after the read ended is not an uncaught exception', async () => {
    const body = new PassThrough();
    const boom = new Error('consumer failed');
    const done = readSse(body, () => {
      throw boom;
    });
    body.write('data: x\n\n');
    await assert.rejects(done);
    // undici's body emits an error when destroyed before its end; a late one must find a listener.
    assert.ok(body.listenerCount('error') > 0);
  });
});

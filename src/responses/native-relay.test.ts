// The native Responses relay writes an unchanged upstream event as the upstream's own bytes when its
// frame came in the form it would write (upstream/frame-spans.ts), and re-frames what it changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { relayStream } from '../chat/native-upstream.js';
import { PendingFrames } from '../routes/node-request.js';
import { streamOf, type UpstreamResponse } from '../upstream/client.js';
import { ResponsesRelay } from './native-relay.js';

let seq = 0;
const ev = (type: string, fields: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
const response = { id: 'resp_1', object: 'response', status: 'completed', model: 'm', output: [] as unknown[] };
const item = { id: 'msg_1', type: 'message', role: 'assistant', content: [] };
seq = 0;
const STREAM = [
  ev('response.created', { response: { ...response, status: 'in_progress' } }),
  ev('response.in_progress', { response: { ...response, status: 'in_progress' } }),
  ev('response.output_item.added', { output_index: 0, item }),
  ev('response.output_text.delta', { output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'hé' }),
  ev('response.output_item.done', { output_index: 0, item }),
  ev('response.completed', { response: { ...response, output: [item] } }),
].join('');

/** Relays `chunks` as one round through a ResponsesRelay whose target is a node sink's pending frames. */
async function relay(chunks: Buffer[], clientTools?: unknown[]): Promise<{ pending: PendingFrames; frames: number }> {
  const pending = new PendingFrames();
  let frames = 0;
  const target = {
    frame: (text: string) => {
      frames++;
      pending.text(text);
    },
    bytes: (chunk: Buffer, start: number, end: number) => pending.bytes(chunk, start, end),
  };
  const relay = new ResponsesRelay(target, [], (p) => `${p}_x`, clientTools);
  const round = relay.round(() => false);
  const body = Readable.from(chunks) as unknown as UpstreamResponse['body'];
  await relayStream(streamOf({ status: 200, headers: {}, body }, 60_000), 'http://up', new AbortController().signal, (type, data, span) => {
    if (type === undefined) return;
    round.event(type, data, JSON.parse(data) as Record<string, unknown>, span);
  });
  relay.finish(() => ({ ...response, output: relay.output }));
  return { pending, frames };
}

describe('ResponsesRelay', () => {
  test("a pure pass-through read leaves as the upstream's own bytes: no frame made, the chunk itself written", async () => {
    const chunk = Buffer.from(STREAM);
    const { pending, frames } = await relay([chunk]);
    assert.equal(frames, 0);
    assert.equal(pending.take(), chunk);
  });

  test('events it changes are re-framed, the rest still go as bytes, in order', async () => {
    // With the gateway's tools added, response.created and .in_progress echo the client's tools instead.
    const { pending, frames } = await relay([Buffer.from(STREAM)], [{ type: 'function', name: 'mine' }]);
    assert.equal(frames, 3, 'created, in_progress and the final event, which carries the changed response');
    const out = (pending.take() as Buffer).toString();
    const events = out
      .split('\n\n')
      .filter(Boolean)
      .map(
        (f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)) as { type: string; sequence_number: number; response?: { tools?: unknown } },
      );
    assert.deepEqual(
      events.map((e) => [e.type, e.sequence_number]),
      STREAM.split('\n\n')
        .filter(Boolean)
        .map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)))
        .map((e: { type: string; sequence_number: number }) => [e.type, e.sequence_number]),
    );
    assert.deepEqual(events[0]!.response!.tools, [{ type: 'function', name: 'mine' }]);
    assert.ok(out.includes(STREAM.split('\n\n').slice(2, 5).join('\n\n')), 'the unchanged middle as it came');
  });

  test('a stream split anywhere relays the same bytes', async () => {
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut += 37) {
      const { pending } = await relay([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(Buffer.from(pending.take()), bytes, `cut at ${cut}`);
    }
  });
});

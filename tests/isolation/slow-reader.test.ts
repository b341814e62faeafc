// A client that stops reading a large pass-through stream (Messages to an Anthropic upstream, whose
// unchanged frames go out as the upstream's own bytes: upstream/frame-spans.ts, PendingFrames in
// routes/node-request.ts). Other tenants' requests are served meanwhile without the event loop
// stalling; once the client reads, it gets the upstream's stream byte for byte: frames relayed as
// spans of the upstream's chunks kept while the socket was backed up, frames split across chunks as
// text, and multi-byte characters cut by chunk boundaries (which turn the spans off) all intact, in
// order; and the stream is settled and in the ledger once. The gateway stops reading the upstream
// while the client's socket is backed up (back-pressure: back-pressure.test.ts), so the stalled
// stream is settled when its reader has read it, not before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, settled } from '../budgets/helpers.js';

const SLOW = 'vk-slow-reader-slow-01';
const OTHER = 'vk-slow-reader-other-1';
const MODEL = 'anthropic/claude-sonnet-4-5';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    providers: { maxRetries: 0 },
    config: {
      pricing: { [MODEL]: { inputPerMTok: 1, outputPerMTok: 1 } },
      virtualKeys: [
        { id: 'slow', key: SLOW, models: ['*'], budget: { usd: 10, period: 'month' } },
        { id: 'other', key: OTHER, models: ['*'] },
      ],
    },
  }));
});
after(() => stop?.());

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** ~6 MB of canonical Messages frames; ASCII first (spans), then text with multi-byte characters (text path). */
function upstreamStream(): string {
  const frames = [
    ev('message_start', {
      message: {
        id: 'msg_slow',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (let i = 0; i < 30_000; i++) {
    const text = i < 20_000 ? `chunk ${i} of a long answer, plain ASCII text here; ` : `é${i} — 漢字 and 👩‍👩‍👧 ${'ü'.repeat(i % 7)}; `;
    frames.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }));
  }
  frames.push(
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 30_000 } }),
    ev('message_stop', {}),
  );
  return frames.join('');
}

function postMessages(key: string, body: object): Promise<{ status: number; id: string; res: import('node:http').IncomingMessage }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']), res }));
    req.on('error', reject);
    req.end(payload);
  });
}

test('a reader that stalls a 6 MB pass-through stream stalls no one; it later gets the bytes as they came and is settled once', {
  timeout: 60_000,
}, async () => {
  const upstream = upstreamStream();
  mock.enqueue({ kind: 'raw', status: 200, body: upstream, contentType: 'text/event-stream' });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const slow = await postMessages(SLOW, { model: MODEL, max_tokens: 40_000, stream: true, messages: [{ role: 'user', content: 'long' }] });
  slow.res.pause();
  assert.equal(slow.status, 200);

  // Another tenant meanwhile.
  for (let i = 0; i < 5; i++) {
    const other = await postMessages(OTHER, { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: `other ${i}` }] });
    const chunks: Buffer[] = [];
    for await (const c of other.res) chunks.push(c as Buffer);
    assert.equal(other.status, 200);
    assert.equal(JSON.parse(Buffer.concat(chunks).toString()).type, 'message');
  }

  loop.disable();
  assert.ok(loop.max / 1e6 < 1_000, `the event loop stalled for ${(loop.max / 1e6).toFixed(1)} ms`);

  // Now read: the upstream's stream, byte for byte.
  slow.res.resume();
  const chunks: Buffer[] = [];
  for await (const c of slow.res) chunks.push(c as Buffer);
  const got = Buffer.concat(chunks);
  assert.equal(got.length, Buffer.byteLength(upstream));
  assert.ok(got.equals(Buffer.from(upstream)), 'the client got the upstream stream as it came');

  // Read to its end, the stream is settled and recorded once.
  const until = Date.now() + 20_000;
  let rows: { status: number; completion_tokens: number }[] = [];
  while (rows.length === 0 && Date.now() < until) {
    rows = await gw.query('SELECT status, completion_tokens FROM requests WHERE id = ?', slow.id);
    if (rows.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(
    rows.map((r) => [r.status, Number(r.completion_tokens)]),
    [[200, 30_000]],
  );
  assert.equal((await settled(gw.url, 'slow')).reservedUsd, 0);
});

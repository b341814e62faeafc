// A streamed Messages pass-through ends the client's stream at the upstream's message_stop when that
// round ends the answer (no gateway tool calls): not after the upstream's body has ended and the loop
// unwound (issue 20). The round ends there too: its rows come right after the client's end, without
// waiting for the upstream's body, and an upstream failure after message_stop is not the request's
// outcome (the client has the whole message). tests/early-end-ledger.test.ts: the rows' values.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchEffectOrder } from './helpers/effect-order.js';
import { postRaw, type RawAnswer } from './helpers/raw-stream.js';
import { waitFor } from './helpers/wait-for.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';

const KEY = 'vk-early-end-client-01';
const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const FRAMES = [
  ev('message_start', {
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 7, output_tokens: 1 } },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }),
  ev('message_stop', {}),
].join('');

/** What the upstream does after message_stop with its response (the body is still open). */
let afterStop: (res: ServerResponse) => void = (res) => res.end();
let upstream: Server;
let gw: TestGateway;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(FRAMES);
      afterStop(res);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  gw = await startGateway({
    config: {
      providers: {
        anthropic: {
          type: 'anthropic',
          baseUrl: `http://127.0.0.1:${port}`,
          keys: [{ value: 'sk-ant-test-secret' }],
          models: ['claude-sonnet-4-5'],
          maxRetries: 0,
        },
      },
      virtualKeys: [{ id: 'early', key: KEY, models: ['*'] }],
    },
  });
});
after(async () => {
  await gw.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

/** Posts a streamed Messages request; resolves at the client's end with the body and request id. */
function stream(): Promise<RawAnswer> {
  const payload = JSON.stringify({
    model: 'anthropic/claude-sonnet-4-5',
    max_tokens: 16,
    stream: true,
    messages: [{ role: 'user', content: 'hello' }],
  });
  return postRaw(`${gw.url}/v1/messages`, { 'x-api-key': KEY }, payload);
}

test('the client gets its end at message_stop, before the upstream body ends; the rows come right after the end', async () => {
  let finishUpstream!: () => void;
  afterStop = (res) => (finishUpstream = () => res.end());
  const watch = watchEffectOrder(gw);
  try {
    // Without the early end this waits for the upstream's body end, which only comes after it: a timeout.
    const got = await Promise.race([
      stream(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no end before the upstream body ended')), 2000)),
    ]);
    assert.equal(got.status, 200);
    assert.equal(got.body, FRAMES);
    // The round ended at the terminal event: its rows come right after the client's end, while the upstream's body is still open.
    for (let i = 0; i < 200 && watch.order.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(watch.order, ['end', 'llm_calls', 'requests']);
    finishUpstream();
    await gw.quiet();
    assert.deepEqual(watch.order, ['end', 'llm_calls', 'requests'], 'nothing more at the body end');
    const [row] = await gw.query<any>('SELECT status, error_type, prompt_tokens, completion_tokens FROM requests WHERE id = ?', got.id);
    assert.deepEqual({ ...row }, { status: 200, error_type: null, prompt_tokens: 7, completion_tokens: 3 });
  } finally {
    watch.stop();
  }
});

test('an upstream failure after message_stop: the client has the whole message; the request is recorded as the success it got', async () => {
  afterStop = (res) => setTimeout(() => res.socket?.destroy(), 20);
  const got = await stream();
  assert.equal(got.status, 200);
  assert.equal(got.body, FRAMES);
  const row = await waitFor(
    async () => (await gw.query<any>('SELECT status, error_type, prompt_tokens, completion_tokens FROM requests WHERE id = ?', got.id))[0],
    10_000,
    'the requests row',
  );
  assert.deepEqual({ ...row }, { status: 200, error_type: null, prompt_tokens: 7, completion_tokens: 3 });
  const calls = await gw.query<any>('SELECT status, error_type FROM llm_calls WHERE request_id = ?', got.id);
  assert.deepEqual(
    calls.map((c) => ({ ...c })),
    [{ status: 200, error_type: null }],
    'the round is recorded once, as it ended',
  );
});

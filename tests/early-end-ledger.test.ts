// A pass-through stream whose client got a complete answer is recorded as what the client got: the
// upstream's terminal event (Messages message_stop, Responses response.completed) ends the round,
// and what the upstream does after it (resets the connection, or stalls past the provider's
// timeoutMs before its body ends) is not the request's error. The rows say 200 with the tokens and
// cost the terminal events carried, once; the rest of the body is read in the background, its
// connection kept for the next call when it ends cleanly and given up when it does not.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postRaw, type RawAnswer } from './helpers/raw-stream.js';
import { waitFor } from './helpers/wait-for.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import {
  type EarlyEndUpstream,
  MESSAGES,
  PRICE,
  rowsOf as rowsIn,
  startEarlyEndUpstream,
  SUCCESS,
  TIMEOUT_MS,
} from './helpers/early-end-upstream.js';

const KEY = 'vk-early-end-ledger-01';

let seq = 0;
const rev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: seq++ })}\n\n`;
const RESPONSE = { id: 'resp_1', object: 'response', model: 'gpt-5', status: 'in_progress', output: [] };
const ITEM = {
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'hi', annotations: [] }],
};
const RESPONSES = [
  rev('response.created', { response: RESPONSE }),
  rev('response.in_progress', { response: RESPONSE }),
  rev('response.output_item.added', { output_index: 0, item: ITEM }),
  rev('response.output_item.done', { output_index: 0, item: ITEM }),
  rev('response.completed', {
    response: { ...RESPONSE, status: 'completed', output: [ITEM], usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10 } },
  }),
].join('');

let upstream: EarlyEndUpstream;
let gw: TestGateway;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => void unhandled.push(err);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  upstream = await startEarlyEndUpstream((req) => (req.url?.startsWith('/v1/responses') ? RESPONSES : MESSAGES));
  const port = upstream.port;
  gw = await startGateway({
    config: {
      providers: {
        anthropic: {
          type: 'anthropic',
          baseUrl: `http://127.0.0.1:${port}`,
          keys: [{ value: 'sk-ant-test-secret' }],
          models: ['claude-sonnet-4-5'],
          maxRetries: 0,
          timeoutMs: TIMEOUT_MS,
        },
        oai: {
          type: 'openai',
          baseUrl: `http://127.0.0.1:${port}/v1`,
          keys: [{ value: 'sk-native-secret' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
          timeoutMs: TIMEOUT_MS,
        },
      },
      pricing: { 'anthropic/claude-sonnet-4-5': PRICE, 'oai/gpt-5': PRICE },
      virtualKeys: [{ id: 'early', key: KEY, models: ['*'] }],
    },
  });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await gw.close();
  await upstream.close();
});
afterEach(() => assert.deepEqual(unhandled, [], 'no unhandled rejection'));

const SURFACES = {
  messages: {
    frames: MESSAGES,
    post: (): Promise<RawAnswer> =>
      postRaw(
        `${gw.url}/v1/messages`,
        { 'x-api-key': KEY },
        JSON.stringify({
          model: 'anthropic/claude-sonnet-4-5',
          max_tokens: 16,
          stream: true,
          messages: [{ role: 'user', content: 'hello' }],
        }),
      ),
  },
  responses: {
    frames: RESPONSES,
    post: (): Promise<RawAnswer> =>
      postRaw(
        `${gw.url}/v1/responses`,
        { authorization: `Bearer ${KEY}` },
        JSON.stringify({ model: 'oai/gpt-5', input: 'hello', stream: true, store: false }),
      ),
  },
};

const rowsOf = (id: string) => rowsIn(gw, id);

for (const [name, surface] of Object.entries(SURFACES)) {
  test(`${name}: the upstream resets after its terminal event: the client has the whole answer, the rows say 200 with its usage and cost`, async () => {
    upstream.after = 'reset';
    const got = await surface.post();
    assert.equal(got.status, 200);
    assert.equal(got.body, surface.frames);
    const rows = await rowsOf(got.id);
    assert.deepEqual(rows, { request: SUCCESS, calls: [SUCCESS] });
    await gw.quiet();
    assert.deepEqual(await rowsOf(got.id), rows, 'no second row once the reset has been read');
  });

  test(`${name}: the upstream stalls past timeoutMs after its terminal event: recorded 200 at once, once; the stalled connection is given up`, async () => {
    upstream.after = 'stall';
    const before = upstream.sockets.length;
    const started = Date.now();
    const got = await surface.post();
    assert.equal(got.status, 200);
    assert.equal(got.body, surface.frames);
    const rows = await rowsOf(got.id);
    assert.deepEqual(rows, { request: SUCCESS, calls: [SUCCESS] });
    assert.ok(Date.now() - started < TIMEOUT_MS, 'recorded before the body timeout, not by it');
    // The gateway still reads the rest in the background and gives the connection up at its body timeout.
    const stalled = upstream.sockets[before]!;
    await waitFor(() => stalled.destroyed, 10_000, 'the stalled upstream connection to close');
    await gw.quiet();
    assert.deepEqual(await rowsOf(got.id), rows, 'no second row at the body timeout');
  });

  test(`${name}: the upstream's body ends cleanly a moment after its terminal event: its connection is kept (read to its end, not cancelled)`, async () => {
    upstream.after = 'end';
    const before = upstream.sockets.length;
    const first = await surface.post();
    assert.deepEqual((await rowsOf(first.id)).request, SUCCESS);
    const socket = upstream.sockets[before]!;
    // The body's end comes 30 ms after the terminal event. A gateway that cancelled the rest of the
    // body would close this connection; one that reads it to its end keeps it in its pool, open.
    await waitFor(() => upstream.ended.has(socket), 10_000, 'the upstream body end');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(socket.destroyed, false, 'the connection is kept after a clean end');
    const second = await surface.post();
    assert.equal(second.body, surface.frames);
  });
}

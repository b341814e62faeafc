// A streamed Responses pass-through (store: false, nothing the gateway adds) ends the client's stream
// at the upstream's response.completed: not after the upstream's body has ended and the loop unwound
// (issue 20). The round ends there too: its rows come right after the client's end, without waiting
// for the upstream's body, and an upstream failure after it is not the request's outcome (the client
// has the whole response). A response to keep (store true) still ends only once the run has kept it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchEffectOrder } from './helpers/effect-order.js';
import { postRaw, type RawAnswer } from './helpers/raw-stream.js';
import { waitFor } from './helpers/wait-for.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';

const KEY = 'vk-early-end-responses';
let seq = 0;
const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: seq++ })}\n\n`;
const RESPONSE = { id: 'resp_1', object: 'response', model: 'gpt-5', status: 'in_progress', output: [] };
const ITEM = {
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'hi', annotations: [] }],
};
const FRAMES = [
  ev('response.created', { response: RESPONSE }),
  ev('response.in_progress', { response: RESPONSE }),
  ev('response.output_item.added', { output_index: 0, item: ITEM }),
  ev('response.output_item.done', { output_index: 0, item: ITEM }),
  ev('response.completed', {
    response: { ...RESPONSE, status: 'completed', output: [ITEM], usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10 } },
  }),
].join('');

/** What the upstream does after response.completed with its response (the body is still open). */
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
        oai: {
          type: 'openai',
          baseUrl: `http://127.0.0.1:${port}/v1`,
          keys: [{ value: 'sk-native-secret' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
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

/** Posts a streamed Responses request; resolves at the client's end with the body and request id. */
function stream(store = false): Promise<RawAnswer> {
  const payload = JSON.stringify({ model: 'oai/gpt-5', input: 'hello', stream: true, store });
  return postRaw(`${gw.url}/v1/responses`, { authorization: `Bearer ${KEY}` }, payload);
}

test('the client gets its end at response.completed, before the upstream body ends; the rows come right after the end', async () => {
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

test('an upstream failure after response.completed: the client has the whole response; the request is recorded as the success it got', async () => {
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

test('a response to keep (store: true) ends only after the upstream body, once it is kept', async () => {
  let finishUpstream!: () => void;
  let upstreamEnded = false;
  afterStop = (res) =>
    (finishUpstream = () => {
      upstreamEnded = true;
      res.end();
    });
  const pending = stream(true);
  await new Promise((r) => setTimeout(r, 300));
  finishUpstream();
  const got = await pending;
  assert.ok(upstreamEnded);
  assert.equal(got.status, 200);
  assert.equal(got.body, FRAMES);
});

// A pass-through stream whose client got a complete answer is recorded as what the client got: the
// upstream's terminal event (Messages message_stop, Responses response.completed) ends the round,
// and what the upstream does after it (resets the connection, or stalls past the provider's
// timeoutMs before its body ends) is not the request's error. The rows say 200 with the tokens and
// cost the terminal events carried, once; the rest of the body is read in the background, its
// connection kept for the next call when it ends cleanly and given up when it does not.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { postRaw, type RawAnswer } from './helpers/raw-stream.js';
import { waitFor } from './helpers/wait-for.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';

const KEY = 'vk-early-end-ledger-01';
// $1 per input token, $2 per output token: 7 in and 3 out cost exactly 13.
const PRICE = { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 };
const TIMEOUT_MS = 1500;

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const MESSAGES = [
  ev('message_start', {
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 7, output_tokens: 1 } },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }),
  ev('message_stop', {}),
].join('');

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

type After = 'end' | 'reset' | 'stall';
/** What the upstream does once its terminal event is written (the body is still open then). */
let afterTerminal: After = 'end';
/** The upstream's socket of each request, in order (to see whether the gateway kept a connection). */
const sockets: Socket[] = [];
/** The sockets on which a body has been ended cleanly. */
const ended = new Set<Socket>();
let upstream: Server;
let gw: TestGateway;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => void unhandled.push(err);

function finishAs(mode: After, res: ServerResponse): void {
  const socket = res.socket!;
  if (mode === 'end') setTimeout(() => res.end(() => ended.add(socket)), 30);
  // After the frames have left: the gateway reads them, then the connection is reset before the chunked terminator.
  else if (mode === 'reset') setTimeout(() => socket.resetAndDestroy(), 30);
  // 'stall': the body never ends; the gateway's body timeout (the provider's timeoutMs) gives up on it.
}

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  upstream = createServer((req, res) => {
    sockets.push(req.socket);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(req.url?.startsWith('/v1/responses') ? RESPONSES : MESSAGES);
      finishAs(afterTerminal, res);
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
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
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

const ROW = 'SELECT status, error_type, prompt_tokens, completion_tokens, cost_usd FROM';
const SUCCESS = { status: 200, error_type: null, prompt_tokens: 7, completion_tokens: 3, cost_usd: 13 };

/** The request's requests row and its llm_calls rows, once the requests row has landed. */
async function rowsOf(id: string): Promise<{ request: object; calls: object[] }> {
  const [request] = await waitFor(
    async () => {
      const rows = await gw.query<object>(`${ROW} requests WHERE id = ?`, id);
      return rows.length ? rows : undefined;
    },
    10_000,
    'the requests row',
  );
  const calls = await gw.query<object>(`${ROW} llm_calls WHERE request_id = ?`, id);
  return { request: { ...request }, calls: calls.map((c) => ({ ...c })) };
}

for (const [name, surface] of Object.entries(SURFACES)) {
  test(`${name}: the upstream resets after its terminal event: the client has the whole answer, the rows say 200 with its usage and cost`, async () => {
    afterTerminal = 'reset';
    const got = await surface.post();
    assert.equal(got.status, 200);
    assert.equal(got.body, surface.frames);
    const rows = await rowsOf(got.id);
    assert.deepEqual(rows, { request: SUCCESS, calls: [SUCCESS] });
    await gw.quiet();
    assert.deepEqual(await rowsOf(got.id), rows, 'no second row once the reset has been read');
  });

  test(`${name}: the upstream stalls past timeoutMs after its terminal event: recorded 200 at once, once; the stalled connection is given up`, async () => {
    afterTerminal = 'stall';
    const before = sockets.length;
    const started = Date.now();
    const got = await surface.post();
    assert.equal(got.status, 200);
    assert.equal(got.body, surface.frames);
    const rows = await rowsOf(got.id);
    assert.deepEqual(rows, { request: SUCCESS, calls: [SUCCESS] });
    assert.ok(Date.now() - started < TIMEOUT_MS, 'recorded before the body timeout, not by it');
    // The gateway still reads the rest in the background and gives the connection up at its body timeout.
    const stalled = sockets[before]!;
    await waitFor(() => stalled.destroyed, 10_000, 'the stalled upstream connection to close');
    await gw.quiet();
    assert.deepEqual(await rowsOf(got.id), rows, 'no second row at the body timeout');
  });

  test(`${name}: the upstream's body ends cleanly a moment after its terminal event: its connection is kept (read to its end, not cancelled)`, async () => {
    afterTerminal = 'end';
    const before = sockets.length;
    const first = await surface.post();
    assert.deepEqual((await rowsOf(first.id)).request, SUCCESS);
    const socket = sockets[before]!;
    // The body's end comes 30 ms after the terminal event. A gateway that cancelled the rest of the
    // body would close this connection; one that reads it to its end keeps it in its pool, open.
    await waitFor(() => ended.has(socket), 10_000, 'the upstream body end');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(socket.destroyed, false, 'the connection is kept after a clean end');
    const second = await surface.post();
    assert.equal(second.body, surface.frames);
  });
}

// Back-pressure on the Responses WebSocket (README, Guarantees: Isolation), as on HTTP streams
// (back-pressure.test.ts): a client that stops reading its socket while the upstream streams a 32 MB
// answer makes the gateway stop reading the upstream once the socket is backed up, so what it holds
// is bounded by socket buffers, not by the answer. Once the client reads on it gets every event, the
// request is recorded once, and the connection serves the next response. A client that takes nothing
// for the provider's timeoutMs is let go: the upstream call freed, recorded as 499 client_closed, the
// connection closed with 1008 after what was already sent, and a response queued behind never runs.
// The gateway's side of the socket is watched through the server's 'upgrade' event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { openResponsesSocket } from '../helpers/responses-socket.js';

const KEY = 'vk-ws-back-pressure-01';
// The bound (as in back-pressure.test.ts): the upstream writes min(answer, what the gateway takes),
// 8.1-8.3 MB here, mostly loopback kernel buffers; any answer over the bound fails a gateway that takes or
// queues more than it, so twice the bound keeps a margin (64 MB before: the same verdict, twice the
// events to relay once the client reads on).
const STALL_LIMIT = 16 * 1024 * 1024;
const TOTAL = 2 * STALL_LIMIT;
const TEXT = 'x'.repeat(4000);
const N = Math.ceil(TOTAL / (TEXT.length + 120));

interface Answer {
  written: number;
  requests: number;
  closed: boolean;
  ended: boolean;
}
let server: Server;
let frames: () => Buffer[];
let answer: Answer = { written: 0, requests: 0, closed: false, ended: false };
let gw: TestGateway;
/** The gateway's side of the last WebSocket: its unsent bytes are what the gateway buffers. */
let serverSocket: Duplex | undefined;

before(async () => {
  // Writes the answer honouring its own socket's back-pressure, counting what went out.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const state: Answer = (answer = { written: 0, requests: answer.requests + 1, closed: false, ended: false });
      const list = frames();
      res.on('close', () => (state.closed = true));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const pump = () => {
        while (i < list.length) {
          if (res.destroyed) return;
          const frame = list[i++]!;
          state.written += frame.length;
          if (!res.write(frame)) return void res.once('drain', pump);
        }
        state.ended = true;
        res.end();
      };
      pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const provider = { type: 'openai', baseUrl: url, keys: [{ value: 'sk-ws-bp' }], maxRetries: 0 };
  gw = await startGateway({
    config: {
      providers: {
        oresp: { ...provider, models: ['gpt-5'], apis: ['chat', 'responses'] },
        openai: { ...provider, models: ['gpt-4o-mini'] },
        // The same upstream with a short timeoutMs: how long a backed-up client may take nothing.
        quick: { ...provider, models: ['gpt-5'], apis: ['chat', 'responses'], timeoutMs: 1_500 },
      },
      virtualKeys: [{ id: 'wsbp', key: KEY, models: ['*'] }],
    },
  });
  gw.server.on('upgrade', (_req, socket: Duplex) => (serverSocket = socket));
});
after(async () => {
  await gw.close();
  await new Promise((r) => server.close(r));
});

const ev = (type: string, data: object) => Buffer.from(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);

function responsesFrames(): Buffer[] {
  const resp = (status: string, extra: object = {}) => ({ id: 'resp_wsbp', object: 'response', status, model: 'm', output: [], ...extra });
  const list = [ev('response.created', { response: resp('in_progress') })];
  for (let i = 0; i < N; i++)
    list.push(ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: TEXT }));
  list.push(
    ev('response.completed', { response: resp('completed', { usage: { input_tokens: 3, output_tokens: N, total_tokens: N + 3 } }) }),
  );
  return list;
}

function chatFrames(): Buffer[] {
  const chunk = (delta: object, finish: string | null, usage?: object) =>
    Buffer.from(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`,
    );
  const list = [chunk({ role: 'assistant', content: '' }, null)];
  for (let i = 0; i < N; i++) list.push(chunk({ content: TEXT }, null));
  list.push(chunk({}, 'stop', { prompt_tokens: 3, completion_tokens: N, total_tokens: N + 3 }), Buffer.from('data: [DONE]\n\n'));
  return list;
}

/** A connection whose client reads nothing until `resume`; events are counted, not kept. */
async function connect() {
  // Messages read here (deltas counted, not kept), not by the helper.
  const socket = await openResponsesSocket(gw.url, KEY, { events: false });
  const { ws } = socket;
  ws.pause();
  const got = { deltas: 0, ends: [] as Record<string, any>[], closeCode: 0 };
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.includes('"response.output_text.delta"')) got.deltas += text.split(TEXT).length - 1;
    else {
      const event = JSON.parse(text);
      if (['response.completed', 'response.failed', 'response.incomplete', 'error'].includes(event.type)) got.ends.push(event);
    }
  });
  const closed = socket.closed.then(({ code }) => void (got.closeCode = code));
  return { ws, got, closed, create: socket.create };
}

/** Waits until the upstream has written nothing more for 1 s (or wrote it all); returns what it wrote. */
async function stalled(): Promise<number> {
  await waitFor(() => answer.written > 0, 10_000, 'the upstream to start');
  let last = -1;
  let since = Date.now();
  const until = Date.now() + 30_000;
  while (Date.now() < until && !answer.ended) {
    await new Promise((r) => setTimeout(r, 100));
    if (answer.written !== last) {
      last = answer.written;
      since = Date.now();
    } else if (Date.now() - since > 1_000) break;
  }
  return answer.written;
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
const count = async () => (await gw.query<{ n: number }>('SELECT count(*) AS n FROM requests'))[0]!.n;

for (const c of [
  { name: 'Responses pass-through', model: 'oresp/gpt-5', frames: responsesFrames },
  { name: 'Responses over a chat upstream', model: 'openai/gpt-4o-mini', frames: chatFrames },
]) {
  test(`${c.name}: a WebSocket client that does not read stalls the upstream far below a ${TOTAL / 2 ** 20} MB answer; reading on, it gets all of it, recorded once, and the connection serves on`, {
    timeout: 120_000,
  }, async () => {
    frames = c.frames;
    answer = { written: 0, requests: answer.requests, closed: false, ended: false };
    const before = await count();
    const client = await connect();
    client.create({ model: c.model, input: 'long', store: false });
    const written = await stalled();
    const buffered = serverSocket!.writableLength;
    console.log(`# ${c.name}: upstream wrote ${mb(written)}, the gateway's socket holds ${(buffered / 1024).toFixed(0)} KB`);
    assert.ok(written < STALL_LIMIT, `the upstream got ${mb(written)} out to a client that reads nothing`);
    assert.ok(buffered < STALL_LIMIT, `the gateway holds ${mb(buffered)} for a client that reads nothing`);
    assert.equal(await count(), before, 'not recorded while stalled');

    client.ws.resume();
    await waitFor(() => client.got.ends.length === 1, 60_000, 'the response to end');
    assert.equal(client.got.ends[0]!.type, 'response.completed');
    assert.equal(client.got.deltas, N, 'every delta reached the client');
    assert.equal(answer.ended, true);
    await waitFor(async () => (await count()) === before + 1, 10_000, 'the request row');
    const [row] = await gw.query<{ status: number }>('SELECT status FROM requests ORDER BY rowid DESC LIMIT 1');
    assert.equal(row!.status, 200);

    frames = () => responsesFrames().slice(-1);
    client.create({ model: 'oresp/gpt-5', input: 'next' });
    await waitFor(() => client.got.ends.length === 2, 10_000, 'the next response');
    assert.equal(client.got.ends[1]!.type, 'response.completed');
    client.ws.close();
    await gw.quiet();
    assert.equal(await count(), before + 2, 'each response recorded once');
  });
}

test("a WebSocket client that takes nothing for the provider's timeoutMs is let go: upstream freed, 499 recorded once, closed 1008, the response queued behind never runs", {
  timeout: 60_000,
}, async () => {
  frames = responsesFrames;
  answer = { written: 0, requests: answer.requests, closed: false, ended: false };
  const before = await count();
  const requests = answer.requests;
  const client = await connect();
  client.create({ model: 'quick/gpt-5', input: 'long', store: false });
  client.create({ model: 'quick/gpt-5', input: 'queued behind', store: false });
  await waitFor(() => answer.requests > requests && answer.closed, 20_000, 'the upstream connection to be let go');
  assert.equal(answer.ended, false);
  assert.ok(answer.written < STALL_LIMIT, `the upstream got ${mb(answer.written)} out`);
  await waitFor(async () => (await count()) === before + 1, 10_000, 'the request row');
  const [row] = await gw.query<{ status: number; error_type: string }>(
    'SELECT status, error_type FROM requests ORDER BY rowid DESC LIMIT 1',
  );
  assert.deepEqual({ ...row }, { status: 499, error_type: 'client_closed' });

  client.ws.resume();
  await client.closed;
  assert.equal(client.got.closeCode, 1008);
  await gw.quiet();
  assert.equal(answer.requests, requests + 1, 'the queued response.create never reached the upstream');
  assert.equal(await count(), before + 1, 'recorded once');
});

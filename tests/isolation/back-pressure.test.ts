// Back-pressure from a client that stops reading to the upstream: the gateway stops reading the
// upstream once the client's socket is backed up, so what a slow reader pins is bounded by socket
// and stream buffers, not by the answer (README, Guarantees: Isolation). A loopback upstream writes a
// 32 MB SSE answer honouring its own socket's back-pressure and counts what it got out; while the
// gateway's client does not read, that stalls far below the answer (loopback TCP buffers autotune
// to a few MB each side). Once the client reads on it gets every byte, and the request is recorded
// once, with its status. A client that leaves while stalled ends the upstream call and is recorded.
// Messages pass-through (its frames relayed as the upstream's bytes), chat (translated frames) and
// Responses pass-through.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN } from '../budgets/helpers.js';

const KEY = 'vk-back-pressure-key-01';
// The bound: what a client that reads nothing may get out of the upstream, mostly loopback kernel
// buffers (upstream send buffer up to tcp_wmem's 4 MB, the gateway's autotuned receive buffer, its
// send buffer to the client): 7-10.5 MB measured. The upstream writes min(answer, what the gateway
// takes), so any answer over the bound fails a gateway that takes more than the bound; twice the bound
// keeps a margin (64 MB before: the same verdict, twice the bytes to stream when the client reads on).
const STALL_LIMIT = 16 * 1024 * 1024;
const TOTAL = 2 * STALL_LIMIT;

interface Upstream {
  server: Server;
  url: string;
  /** The answer's bytes written so far, the answer itself, and whether its connection closed. */
  current: { written: number; body: Buffer[]; closed: boolean; ended: boolean };
  next: (() => Buffer[]) | undefined;
}

let up: Upstream;
let gw: TestGateway;

/** Writes `frames` honouring the socket's back-pressure, counting what went out. */
function startUpstream(): Promise<Upstream> {
  const u = { url: '', next: undefined, current: { written: 0, body: [], closed: false, ended: false } } as unknown as Upstream;
  u.server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const frames = u.next!();
      const state = { written: 0, body: frames, closed: false, ended: false };
      u.current = state;
      res.on('close', () => (state.closed = true));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const pump = () => {
        while (i < frames.length) {
          if (res.destroyed) return;
          const frame = frames[i++]!;
          state.written += frame.length;
          if (!res.write(frame)) return void res.once('drain', pump);
        }
        state.ended = true;
        res.end();
      };
      pump();
    });
  });
  return new Promise((resolve) =>
    u.server.listen(0, '127.0.0.1', () => {
      u.url = `http://127.0.0.1:${(u.server.address() as AddressInfo).port}`;
      resolve(u);
    }),
  );
}

before(async () => {
  up = await startUpstream();
  gw = await startGateway({
    adminToken: ADMIN,
    config: {
      providers: {
        openai: { type: 'openai', baseUrl: `${up.url}/v1`, keys: [{ value: 'sk-bp' }], models: ['gpt-4o-mini'], maxRetries: 0 },
        oresp: {
          type: 'openai',
          baseUrl: `${up.url}/v1`,
          keys: [{ value: 'sk-bp' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
        anthropic: { type: 'anthropic', baseUrl: up.url, keys: [{ value: 'sk-ant-bp' }], models: ['claude-sonnet-4-5'], maxRetries: 0 },
        // The same upstream with a short timeoutMs: how long a backed-up client may take nothing.
        quick: {
          type: 'anthropic',
          baseUrl: up.url,
          keys: [{ value: 'sk-ant-bp' }],
          models: ['claude-sonnet-4-5'],
          maxRetries: 0,
          timeoutMs: 1_500,
        },
      },
      virtualKeys: [{ id: 'bp', key: KEY, models: ['*'] }],
    },
  });
});
after(async () => {
  await gw.close();
  await new Promise((r) => up.server.close(r));
});

const TEXT = 'x'.repeat(4000);
const N = Math.ceil(TOTAL / (TEXT.length + 120));
const ev = (type: string, data: object) => Buffer.from(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);

function messagesFrames(): Buffer[] {
  const frames = [
    ev('message_start', {
      message: { id: 'msg_bp', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 1 } },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (let i = 0; i < N; i++) frames.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: TEXT } }));
  frames.push(
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: N } }),
    ev('message_stop', {}),
  );
  return frames;
}

function chatFrames(): Buffer[] {
  const chunk = (delta: object, finish: string | null, usage?: object) =>
    Buffer.from(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`,
    );
  const frames = [chunk({ role: 'assistant', content: '' }, null)];
  for (let i = 0; i < N; i++) frames.push(chunk({ content: TEXT }, null));
  frames.push(chunk({}, 'stop', { prompt_tokens: 3, completion_tokens: N, total_tokens: N + 3 }), Buffer.from('data: [DONE]\n\n'));
  return frames;
}

function responsesFrames(): Buffer[] {
  const resp = (status: string, extra: object = {}) => ({ id: 'resp_bp', object: 'response', status, model: 'm', output: [], ...extra });
  const frames = [ev('response.created', { response: resp('in_progress') })];
  for (let i = 0; i < N; i++)
    frames.push(ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: TEXT }));
  frames.push(
    ev('response.completed', { response: resp('completed', { usage: { input_tokens: 3, output_tokens: N, total_tokens: N + 3 } }) }),
  );
  return frames;
}

/**
 * A client on a raw socket that reads nothing until told: its kernel receive buffer stays as small as
 * it starts (Linux grows it only as the reader reads; an HTTP client that reads the head reads on).
 */
function post(path: string, body: object): { socket: Socket; read: () => Promise<{ status: number; id: string; body: Buffer }> } {
  const payload = JSON.stringify(body);
  const { port, hostname } = new URL(gw.url);
  const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
  socket.pause();
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer ${KEY}\r\nx-api-key: ${KEY}\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
  // Not iterated before `read`: an async iterator reads a paused socket.
  const read = async () => {
    const chunks: Buffer[] = [];
    for await (const c of socket) chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    const headEnd = all.indexOf('\r\n\r\n');
    const head = all.subarray(0, headEnd).toString('latin1');
    assert.match(head, /transfer-encoding: chunked/i);
    // The chunked body, its chunks joined.
    const parts: Buffer[] = [];
    let at = headEnd + 4;
    for (;;) {
      const lineEnd = all.indexOf('\r\n', at);
      const size = parseInt(all.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      parts.push(all.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    return { status: Number(head.split(' ')[1]), id: /x-request-id: (\S+)/i.exec(head)![1]!, body: Buffer.concat(parts) };
  };
  return { socket, read };
}

/** Waits until the upstream has written nothing more for 1 s (or wrote it all); returns what it wrote. */
async function stalled(): Promise<number> {
  const started = Date.now() + 10_000;
  while (up.current.written === 0 && Date.now() < started) await new Promise((r) => setTimeout(r, 10));
  let last = -1;
  let since = Date.now();
  const until = Date.now() + 30_000;
  while (Date.now() < until && !up.current.ended) {
    await new Promise((r) => setTimeout(r, 100));
    if (up.current.written !== last) {
      last = up.current.written;
      since = Date.now();
    } else if (Date.now() - since > 1_000) break;
  }
  return up.current.written;
}

async function rows(id: string): Promise<{ status: number }[]> {
  const until = Date.now() + 10_000;
  let got: { status: number }[] = [];
  while (got.length === 0 && Date.now() < until) {
    got = await gw.query('SELECT status FROM requests WHERE id = ?', id);
    if (got.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  return got;
}

const cases = [
  {
    name: 'Messages pass-through',
    path: '/v1/messages',
    frames: messagesFrames,
    exact: true,
    body: { model: 'anthropic/claude-sonnet-4-5', max_tokens: 100_000, stream: true, messages: [{ role: 'user', content: 'long' }] },
  },
  {
    name: 'chat stream',
    path: '/v1/chat/completions',
    frames: chatFrames,
    exact: false,
    body: { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long' }] },
  },
  {
    name: 'Responses pass-through',
    path: '/v1/responses',
    frames: responsesFrames,
    exact: false,
    body: { model: 'oresp/gpt-5', stream: true, input: 'long' },
  },
];

for (const c of cases) {
  test(`${c.name}: a client that does not read stalls the upstream far below a ${TOTAL / 2 ** 20} MB answer; reading on, it gets all of it, recorded once`, {
    timeout: 120_000,
  }, async () => {
    up.next = c.frames;
    up.current = { written: 0, body: [], closed: false, ended: false };
    const before = (await gw.query('SELECT id FROM requests')).length;
    const slow = post(c.path, c.body);
    const written = await stalled();
    assert.ok(written < STALL_LIMIT, `the upstream got ${(written / 2 ** 20).toFixed(1)} MB out to a client that reads nothing`);
    assert.equal((await gw.query('SELECT id FROM requests')).length, before, 'not recorded while stalled');

    const got = await slow.read();
    assert.equal(got.status, 200);
    assert.equal(up.current.ended, true);
    if (c.exact) assert.ok(got.body.equals(Buffer.concat(up.current.body)), 'the client got the upstream stream as it came');
    else assert.equal(got.body.toString().split(TEXT).length - 1, N, 'every delta reached the client');
    assert.deepEqual(await rows(got.id), [{ status: 200 }]);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await gw.query('SELECT status FROM requests WHERE id = ?', got.id)).length, 1);
  });
}

test('a client that leaves while stalled ends the upstream call, and the request is recorded once', { timeout: 60_000 }, async () => {
  up.next = messagesFrames;
  up.current = { written: 0, body: [], closed: false, ended: false };
  const before = (await gw.query('SELECT id FROM requests')).length;
  const slow = post(cases[0]!.path, cases[0]!.body);
  const written = await stalled();
  assert.ok(written < STALL_LIMIT, `the upstream got ${(written / 2 ** 20).toFixed(1)} MB out`);
  slow.socket.destroy();
  const until = Date.now() + 10_000;
  while (!up.current.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  assert.equal(up.current.closed, true, 'the upstream connection was let go');
  assert.equal(up.current.ended, false);
  while ((await gw.query('SELECT id FROM requests')).length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await gw.query('SELECT id FROM requests')).length, before + 1);
});

test("a client that takes nothing for the provider's timeoutMs is let go: the upstream call freed, recorded once (499)", {
  timeout: 60_000,
}, async () => {
  up.next = messagesFrames;
  up.current = { written: 0, body: [], closed: false, ended: false };
  const before = (await gw.query('SELECT id FROM requests')).length;
  const slow = post(cases[0]!.path, { ...cases[0]!.body, model: 'quick/claude-sonnet-4-5' });
  const gone = new Promise<void>((resolve) => slow.socket.once('close', () => resolve()));
  const until = Date.now() + 20_000;
  while (!up.current.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  assert.equal(up.current.closed, true, 'the upstream connection was let go while the client read nothing');
  assert.equal(up.current.ended, false);
  assert.ok(up.current.written < STALL_LIMIT, `the upstream got ${(up.current.written / 2 ** 20).toFixed(1)} MB out`);
  slow.socket.resume();
  await gone;
  let got: { status: number; error_type: string | null; model: string }[] = [];
  while (got.length === 0 && Date.now() < until) {
    got = await gw.query('SELECT status, error_type, model FROM requests ORDER BY rowid DESC LIMIT 1');
    if ((await gw.query('SELECT id FROM requests')).length === before) got = [];
    if (got.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await gw.query('SELECT id FROM requests')).length, before + 1, 'recorded once');
  assert.equal(got[0]?.status, 499);
  assert.equal(got[0]?.error_type, 'client_closed');
});

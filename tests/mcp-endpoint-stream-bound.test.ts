// Back-pressure on the Streamable HTTP /mcp event streams (README, Guarantees: Isolation), as on the
// HTTP+SSE one (tests/isolation/mcp-sse-back-pressure.test.ts): a client of a real gateway that
// stops reading an SSE answer to its POST must not make the gateway hold every answer, and the
// tool calls whose answers it never got are recorded 499, not 200. The gateway's bounds are made
// small by config (mcpEndpoint.streamHighWaterMark / streamMaxQueued), its one tool answers 256 KB.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { CreateMessageResultSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { waitFor } from './helpers/wait-for.js';

const KEY = 'vk-stream-bound-0001';
const KB = 1024;
const MB = 1024 * KB;
let upstream: McpHttpServer;
let mock: MockUpstream;
let gw: TestGateway;
/** What became of each question ask-later put to its client. */
const asked: string[] = [];
/** The gateway's responses, to read what Node buffers for each. */
const responses: ServerResponse[] = [];

before(async () => {
  [upstream, mock] = await Promise.all([startMcpHttpServer(), startMockUpstream()]);
  upstream.setTool('big', {
    description: 'Answers kb kilobytes',
    inputSchema: { kb: z.number().int().positive() },
    handler: (args) => ({ content: [{ type: 'text', text: 'x'.repeat(Number(args.kb) * KB) }] }),
  });
  // Works a while, then asks its client a question; says what became of the question.
  upstream.setTool('ask-later', {
    description: 'Sleeps ms milliseconds, then asks for a confirmation (or, with sample, a model completion)',
    inputSchema: { ms: z.number().int().nonnegative(), sample: z.boolean().optional() },
    handler: async (args, signal, extra) => {
      await new Promise((r) => setTimeout(r, Number(args.ms)));
      try {
        const answer = args.sample
          ? await extra!.sendRequest(
              {
                method: 'sampling/createMessage',
                params: { messages: [{ role: 'user', content: { type: 'text', text: 'Go on?' } }], maxTokens: 5 },
              },
              CreateMessageResultSchema,
              { signal },
            )
          : await extra!.sendRequest(
              { method: 'elicitation/create', params: { message: 'Go on?', requestedSchema: { type: 'object', properties: {} } } },
              ElicitResultSchema,
              { signal },
            );
        asked.push(`answered: ${JSON.stringify(answer)}`);
      } catch (err) {
        asked.push(`${signal.aborted ? 'cancelled' : 'refused'}: ${(err as Error).message}`);
        throw err;
      }
      return { content: [{ type: 'text', text: 'done' }] };
    },
  });
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fx: { transport: 'http', url: upstream.url, callTimeoutMs: 10_000, pin: 'off' } },
      virtualKeys: [{ id: 'agent', key: KEY, models: ['*'], tools: { allow: ['fx__*'] } }],
      toolCosts: { fx__slow: 0.01 },
      mcpEndpoint: { streamHighWaterMark: 256 * KB, streamMaxQueued: 2 * MB, inputTimeoutMs: 2_000 },
      // A batch of 40 calls at once: all of them run (more than the default 16 tool calls in flight).
      maxToolCallsInFlightPerKey: 64,
    },
  });
  gw.server.on('request', (_req, res: ServerResponse) => void responses.push(res));
});
after(async () => {
  await gw.close();
  await Promise.all([upstream.close(), mock.close()]);
});

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-bf-vk': KEY };

/** A 2025-03-26 session (it may batch): the headers its requests carry. */
async function session(capabilities: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const init = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities, clientInfo: { name: 'paused', version: '1' } },
    }),
  });
  await init.text();
  const headers = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-03-26' };
  await (
    await fetch(`${gw.url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })
  ).text();
  return headers;
}

/** POSTs a batch of `n` calls answering `kb` each; the answer's stream is paused once its head is in. */
async function pausedBatch(headers: Record<string, string>, n: number, kb: number) {
  const body = JSON.stringify(
    Array.from({ length: n }, (_, i) => ({
      jsonrpc: '2.0',
      id: i + 1,
      method: 'tools/call',
      params: { name: 'fx__big', arguments: { kb } },
    })),
  );
  const state = { received: 0, text: '', closed: false };
  const res = await new Promise<IncomingMessage>((resolve) => {
    const req = request(`${gw.url}/mcp`, { method: 'POST', headers }, resolve);
    req.end(body);
  });
  res.pause();
  res.on('data', (chunk: Buffer) => {
    state.received += chunk.length;
    state.text += chunk.toString('latin1');
  });
  res.on('close', () => (state.closed = true));
  res.on('error', () => undefined);
  return { res, state };
}

/** The complete answers in an event stream's text (what follows the last blank line is cut short). */
const answered = (text: string) =>
  text
    .split('\n\n')
    .slice(0, -1)
    .filter((frame) => frame.includes('"result"'));

test('an SSE answer nobody reads is bounded: Node holds a chunk, the gateway at most streamMaxQueued, then lets go', async () => {
  const headers = await session();
  const first = responses.length;
  const t0 = Date.now();
  const N = 40;
  const { res, state } = await pausedBatch(headers, N, 256);
  // Every call has finished at the upstream and been answered to the gateway.
  await waitFor(() => upstream.calls.filter((c) => c === 'big').length >= N, 20_000, 'the calls to run');
  console.log(`# calls ran in ${Date.now() - t0} ms`);
  await new Promise((r) => setTimeout(r, 500));
  // The batch's answer: the session's last POST.
  const mine = responses.slice(first).at(-1);
  assert.ok(mine);
  const buffered = mine.writableLength;
  console.log(`# Node buffers ${(buffered / MB).toFixed(1)} MB for the paused answer (of ${(N * 256 * KB) / MB} MB)`);
  assert.ok(buffered <= 1 * MB, `the gateway's socket buffer holds ${(buffered / MB).toFixed(1)} MB for a client that does not read`);
  res.resume();
  await waitFor(() => state.closed, 10_000, 'the stream to end');
  console.log(`# received ${(state.received / MB).toFixed(1)} MB in all, ${Date.now() - t0} ms`);
  assert.ok(state.received < N * 256 * KB * 0.75, `received ${(state.received / MB).toFixed(1)} MB: the stream was not let go`);
});

test('calls whose answers were dropped with the unread stream are recorded 499 client_closed', async () => {
  const headers = await session();
  const sid = headers['mcp-session-id'];
  const N = 40;
  const { res, state } = await pausedBatch(headers, N, 256);
  await waitFor(() => upstream.calls.filter((c) => c === 'big').length >= 2 * N, 20_000, 'the calls to run');
  res.resume();
  await waitFor(() => state.closed, 10_000, 'the stream to end');
  const got = answered(state.text);
  await gw.quiet(300);
  const rows = await gw.query<{ status: number; error_type: string | null }>(
    "SELECT status, error_type FROM requests WHERE surface = 'mcp' AND session_id = ? ORDER BY ts",
    sid,
  );
  const ok = rows.filter((r) => r.status === 200).length;
  const closed = rows.filter((r) => r.status === 499 && r.error_type === 'client_closed').length;
  console.log(`# ${got.length} answers received; rows: ${ok} x 200, ${closed} x 499`);
  assert.equal(rows.length, N, 'every call has its row');
  assert.equal(ok + closed, N);
  assert.ok(closed > 0 && got.length < N, 'some answers were dropped');
  // The frame the gateway's socket held when it let go (at most one) may have been taken, yet lost.
  assert.ok(ok >= got.length && ok <= got.length + 1, `${ok} rows say 200, ${got.length} answers were received`);
});

/** POSTs `call` on the session and lets go of it (the client disconnects) once the upstream runs `tool`. */
async function leave(headers: Record<string, string>, call: unknown, tool: string) {
  const runs = () => upstream.calls.filter((c) => c === tool).length;
  const earlier = runs();
  const left = new AbortController();
  const pending = fetch(`${gw.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(call), signal: left.signal }).catch(
    () => undefined,
  );
  await waitFor(() => runs() > earlier, 5_000, 'the call to start');
  left.abort();
  await pending;
}

const rowsOf = (sid: string | undefined) =>
  gw.query<{ status: number; error_type: string | null; error_message: string | null; cost_usd: number }>(
    "SELECT status, error_type, error_message, cost_usd FROM requests WHERE surface = 'mcp' AND session_id = ?",
    sid,
  );

// Streamable HTTP 2025-11-25 (transports, "Sending Messages to the Server"): disconnection SHOULD NOT
// be read as the client cancelling its request; to cancel, it sends notifications/cancelled. The
// gateway has no event store to replay the answer from, so the call runs to its end, is charged,
// and its row says the client never got the answer; the session is the client's until it ends it.
test('a call whose client left before its answer runs to its end, charged, recorded 499 client_closed; the session stays', async () => {
  const headers = await session();
  const calls = upstream.calls.length;
  await leave(headers, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'fx__slow', arguments: { ms: 400 } } }, 'slow');
  await waitFor(async () => (await rowsOf(headers['mcp-session-id'])).length > 0, 5_000, 'the call to be recorded');
  assert.deepEqual(await rowsOf(headers['mcp-session-id']), [
    { status: 499, error_type: 'client_closed', error_message: null, cost_usd: 0.01 },
  ]);
  assert.ok(!upstream.cancelled.slice(calls).includes('slow'), 'the upstream call was not cancelled');
  const list = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/list' }),
  });
  assert.equal(list.status, 200, 'the session is still open');
  assert.match(await list.text(), /fx__slow/);
});

// What a call asks its client after the client left has no stream to go on (Streamable HTTP: messages
// about a request go on that request's stream), so it is refused at once: not held for
// inputTimeoutMs with a share of maxPendingPerKey, the upstream call cancelled at the end of it.
for (const sample of [false, true]) {
  const question = sample ? 'a sampling request' : 'an elicitation';
  test(`${question} a call makes after its client left is refused at once, not waited on for inputTimeoutMs`, async () => {
    const headers = await session({ elicitation: {}, sampling: {} });
    const t0 = Date.now();
    const before = asked.length;
    await leave(
      headers,
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'fx__ask-later', arguments: { ms: 300, sample } } },
      'ask-later',
    );
    await waitFor(async () => (await rowsOf(headers['mcp-session-id'])).length > 0, 10_000, 'the call to be recorded');
    const mine = asked.slice(before);
    console.log(`# recorded ${Date.now() - t0} ms after the call; ${question}: ${mine.join(' / ')}`);
    assert.equal(mine.length, 1);
    assert.match(mine[0]!, /^refused: .*no longer connected/);
    const [row] = await rowsOf(headers['mcp-session-id']);
    assert.equal(row!.status, 499);
    assert.equal(row!.error_type, 'client_closed');
  });
}

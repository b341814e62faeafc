// Back-pressure on the legacy HTTP+SSE /mcp event stream (README, Guarantees: Isolation), as on the
// /v1 streams (back-pressure.test.ts): a client that opens GET /mcp/sse, stops reading its socket and
// keeps POSTing tools/call must not make the gateway queue every answer. The endpoint runs on a real
// Node listener on loopback (@hono/node-server, as the gateway serves /mcp); its one tool answers
// 1 MB. What the gateway held for the stream is what the client still gets once it reads again:
// before the fix every answer (48 MB here), after it the stream is ended once too far behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { ToolOutcome } from '../../src/chat/ports.js';
import { bareEndpoint, MCP_HEADERS } from '../helpers/mcp-bare-endpoint.js';
import { waitFor } from '../helpers/wait-for.js';

const MB = 1024 * 1024;
const BIG = 'x'.repeat(MB);
const servers: ServerType[] = [];
after(() =>
  servers.forEach((s) => {
    s.close();
    (s as import('node:http').Server).closeAllConnections();
  }),
);

type Row = { status: number; errorType: string | null; errorMessage?: string | null };

async function start(inputTimeoutMs: number, bounds: Record<string, number> = {}) {
  const ep = bareEndpoint(
    async (args, signal) =>
      JSON.stringify(args).includes('wait')
        ? new Promise<ToolOutcome>((r) => signal?.addEventListener('abort', () => r({ status: 'cancelled', latencyMs: 1 } as ToolOutcome)))
        : { status: 'ok', content: BIG, isError: false, latencyMs: 1, raw: { content: [{ type: 'text', text: BIG }] } },
    { inputTimeoutMs, ...bounds },
  );
  const server = await new Promise<ServerType>((r) => {
    const s = serve({ fetch: ep.app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s));
  });
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ep, base };
}

/** Opens the event stream and initializes the session; the stream is paused once initialized. */
async function pausedSession(base: string) {
  const state = { received: 0, text: '', closed: false };
  const res = await new Promise<IncomingMessage>((r) =>
    request(`${base}/mcp/sse`, { headers: { 'x-bf-vk': 'k1', accept: 'text/event-stream' } }, r).end(),
  );
  res.on('data', (chunk: Buffer) => {
    state.received += chunk.length;
    if (state.text.length < 4096) state.text += chunk.toString();
  });
  res.on('close', () => (state.closed = true));
  res.on('error', () => undefined);
  await waitFor(() => /data: (\S+)/.test(state.text));
  const endpoint = base + /data: (\S+)/.exec(state.text)![1]!;
  const post = (body: unknown) =>
    fetch(endpoint, { method: 'POST', headers: { 'x-bf-vk': 'k1', ...MCP_HEADERS }, body: JSON.stringify(body) });
  const init = { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'c', version: '1' } };
  await post({ jsonrpc: '2.0', id: 0, method: 'initialize', params: init });
  await waitFor(() => state.text.includes('"id":0'));
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  res.pause();
  const call = (id: number) => post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'fx__echo', arguments: {} } });
  return { res, state, post, call };
}

test('a stream nobody reads is ended once too far behind: the gateway does not hold every answer', async () => {
  const { ep, base } = await start(60_000);
  const { res, state, post, call } = await pausedSession(base);
  const N = 48;
  // Once the stream is let go its session is gone, and further calls are refused with 404.
  for (let i = 1; i <= N && (await call(i)).status === 202; i++);
  await new Promise((r) => setTimeout(r, 300));
  const before = state.received;
  res.resume();
  // Whatever arrives now was held for the stream (socket and kernel buffers, the transport's queue).
  let last = -1;
  await waitFor(async () => {
    const settled = state.received === last;
    last = state.received;
    await new Promise((r) => setTimeout(r, 200));
    return settled || state.closed;
  }, 30_000);
  const held = state.received - before;
  console.log(
    `# answered ${ep.got.length} MB; received ${(state.received / MB).toFixed(1)} MB, ${(held / MB).toFixed(1)} MB of it after resuming`,
  );
  assert.ok(state.received < 32 * MB, `the gateway held ${(held / MB).toFixed(1)} MB for a stream nobody read`);
  await waitFor(() => state.closed);
  assert.equal((await post({ jsonrpc: '2.0', id: 99, method: 'tools/list' })).status, 404, 'the session is closed with its stream');
});

test('a stream that takes nothing for inputTimeoutMs is ended and its session closed', async () => {
  const { ep, base } = await start(500);
  const { res, state, post } = await pausedSession(base);
  // One POST of 10 calls: posted one by one, on a loaded machine (~150 ms a call) the stream was let
  // go before the last ones reached the tool, and the test waited for them in vain.
  const calls = Array.from({ length: 10 }, (_, i) => ({
    jsonrpc: '2.0',
    id: i + 1,
    method: 'tools/call',
    params: { name: 'fx__echo', arguments: {} },
  }));
  assert.equal((await post(calls)).status, 202);
  await waitFor(() => ep.got.length === 10);
  const list = async () => (await post({ jsonrpc: '2.0', id: 99, method: 'tools/list' })).status;
  await waitFor(async () => (await list()) === 404, 5_000, 'the session to close');
  // The paused client sees the end of its stream once it reads again (the FIN is behind the data).
  res.resume();
  await waitFor(() => state.closed, 5_000, 'the stream to end');
  assert.ok(state.received < 10 * MB, 'what was queued is dropped');
});

test('a client that reads again in time gets every answer', async () => {
  const { ep, base } = await start(5_000);
  const { res, state, call } = await pausedSession(base);
  for (let i = 1; i <= 10; i++) await call(i);
  await waitFor(() => ep.got.length === 10);
  await new Promise((r) => setTimeout(r, 300));
  res.resume();
  await waitFor(() => state.received > 10 * MB, 10_000);
  assert.equal(state.closed, false);
});

test('a call still running when its stream is let go is recorded as 499 client_closed', async () => {
  const { ep, base } = await start(500);
  const { post, call } = await pausedSession(base);
  await post({ jsonrpc: '2.0', id: 50, method: 'tools/call', params: { name: 'fx__echo', arguments: { wait: true } } });
  for (let i = 1; i <= 10; i++) await call(i);
  const running = () => (ep.rows as Row[]).filter((r) => r.errorMessage?.startsWith('cancelled'));
  await waitFor(() => running().length > 0, 5_000, 'the running call to be recorded');
  assert.deepEqual(
    running().map((r) => [r.status, r.errorType]),
    [[499, 'client_closed']],
  );
});

// The answers still queued when the stream is let go never reach the client: their rows say so.
test('calls whose answers were dropped with the stream are recorded 499 client_closed, the delivered ones 200', async () => {
  // The bounds made small by the endpoint's limits (config mcpEndpoint.streamHighWaterMark / streamMaxQueued).
  const { ep, base } = await start(60_000, { streamHighWaterMark: 256 * 1024, streamMaxQueued: 2 * MB });
  const { res, state, call } = await pausedSession(base);
  let text = '';
  res.on('data', (chunk: Buffer) => void (text += chunk.toString('latin1')));
  const N = 24;
  for (let i = 1; i <= N && (await call(i)).status === 202; i++);
  await waitFor(() => ep.rows.length === ep.got.length, 5_000, 'every call to be recorded');
  res.resume();
  await waitFor(() => state.closed, 10_000, 'the stream to end');
  // Complete answers only (what follows the last blank line was cut short).
  const got = text
    .split('\n\n')
    .slice(0, -1)
    .filter((frame) => frame.includes('"result"')).length;
  const ok = ep.rows.filter((r) => r.status === 200).length;
  const dropped = ep.rows.filter((r) => r.status === 499 && r.errorType === 'client_closed').length;
  console.log(`# ${ep.got.length} calls, ${got} answers received; rows: ${ok} x 200, ${dropped} x 499`);
  assert.ok(got < ep.got.length, 'some answers were dropped');
  assert.equal(ok + dropped, ep.got.length);
  // The frame the gateway's socket held when it let go (at most one) may have been taken, yet lost.
  assert.ok(ok >= got && ok <= got + 1, `${ok} rows say 200, ${got} answers were received`);
});

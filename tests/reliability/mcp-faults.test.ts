// MCP faults (issue 9): stdio servers that crash mid-call, hang, or print garbage on stdout, and an
// HTTP server that goes away and comes back. The tool loop keeps going with error results for the
// model, the ledger records each failed call, the manager reconnects, and /readyz tells.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import type { MockReply } from '../mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { toolResultsOf } from '../helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';
import { waitFor } from '../helpers/wait-for.js';

const VK = 'vk-mcp-faults-test-01';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const badServer = (...flags: string[]) => ({
  transport: 'stdio',
  command: process.execPath,
  args: ['--import', 'tsx', fileURLToPath(new URL('../fixtures/mcp-bad-server.ts', import.meta.url)), ...flags],
  cwd: repoRoot,
  // Long enough that a crashed child is noticed (its stdio closing) before the call times out, also
  // on a loaded machine; short enough that the hanging tool's timeout keeps the test quick.
  callTimeoutMs: 1_500,
});

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: {
        bad: badServer(),
        noisy: badServer('--garbage-at-start'),
        fix: { transport: 'http', url: fixture.url, callTimeoutMs: 2000 },
      },
      virtualKeys: [{ id: 'mcp-faults', key: VK, models: ['*'], tools: { allow: ['bad__*', 'noisy__*', 'fix__*'] } }],
    },
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const calls = (...c: [string, unknown][]): MockReply => ({
  kind: 'tool_calls',
  calls: c.map(([name, args]) => ({ name, arguments: args })),
});

/** One chat request whose model calls `tools`, then answers with the tool results it was given. */
async function loop(...tools: [string, unknown][]) {
  mock.enqueue(calls(...tools));
  mock.fallback = (body) => ({ kind: 'text', text: JSON.stringify(toolResultsOf(body).map((r) => r.content)) });
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'use tools' }] }),
  });
  const id = res.headers.get('x-request-id')!;
  const json = (await res.json()) as any;
  assert.equal(res.status, 200, JSON.stringify(json));
  const results = JSON.parse(json.choices[0].message.content) as string[];
  const rows = await gw.query<{ name: string; status: string; error: string | null }>(
    'SELECT name, status, error FROM tool_calls WHERE request_id = ? ORDER BY name',
    id,
  );
  return { results, rows };
}

const server = (name: string) => gw.gateway.mcp.status().find((s) => s.name === name)!;
/** /readyz says up or down per server, nothing more (it is unauthenticated); details are in the manager's status. */
async function readyz(): Promise<{ httpStatus: number; mcp: { name: string; state: 'up' | 'down' }[] }> {
  const res = await fetch(`${gw.url}/readyz`);
  return { httpStatus: res.status, ...((await res.json()) as any) };
}
const until = (what: string, check: () => Promise<boolean> | boolean, ms = 15_000) => waitFor(check, ms, what, 50);

describe('stdio servers that misbehave', () => {
  test('garbage on stdout (at startup and between messages) is skipped; the server keeps working', async () => {
    assert.equal(server('noisy').state, 'connected', 'junk before the handshake does not prevent connecting');
    const pid = server('bad').pid;
    const { results, rows } = await loop(['bad__garbage', {}], ['noisy__echo', { text: 'hi' }]);
    assert.match(results[0]!, /survived the garbage/);
    assert.match(results[1]!, /^hi \(pid/);
    assert.deepEqual(
      rows.map((r) => [r.name, r.status]),
      [
        ['bad__garbage', 'ok'],
        ['noisy__echo', 'ok'],
      ],
    );
    assert.equal(server('bad').pid, pid, 'no reconnect was needed');
  });

  // The tool never answers: the test's own timeout fails it if the gateway waited instead of timing out.
  test('a tool that hangs: a timeout result for the model, the loop answers, the server stays up', { timeout: 30_000 }, async () => {
    const { results, rows } = await loop(['bad__hang', {}], ['bad__echo', { text: 'parallel' }]);
    assert.equal(JSON.parse(results[0]!).error.reason, 'tool_timeout');
    assert.match(results[1]!, /^parallel/, 'a parallel call on the same server is unaffected');
    assert.deepEqual(
      rows.map((r) => [r.name, r.status]),
      [
        ['bad__echo', 'ok'],
        ['bad__hang', 'timeout'],
      ],
    );
    assert.equal(server('bad').state, 'connected');
  });

  test('a server that crashes mid-call: error result, loop answers, /readyz tells, the manager restarts it', async () => {
    const pid = server('bad').pid;
    assert.ok(pid);
    const { results, rows } = await loop(['bad__crash', {}]);
    assert.equal(JSON.parse(results[0]!).error.reason, 'server_unavailable');
    assert.equal(rows[0]!.status, 'server_unavailable');
    assert.ok(rows[0]!.error);

    // While it is down, /readyz reports it (the gateway itself still serves: 200, status ready).
    const down = await readyz();
    const entry = down.mcp.find((s) => s.name === 'bad')!;
    assert.deepEqual(entry, { name: 'bad', state: 'down' });
    assert.match(server('bad').lastError ?? server('bad').error ?? '', /closed/);
    assert.equal(down.httpStatus, 200);

    // While it is down its tools are not offered; a model that calls one anyway gets an error result.
    const sentBefore = mock.requests.length;
    const during = await loop(['bad__echo', { text: 'too early' }]);
    const offered = (mock.requests[sentBefore]!.body.tools ?? []).map((t: any) => t.function.name);
    assert.ok(!offered.includes('bad__echo') && offered.includes('noisy__echo'), offered.join(','));
    assert.equal(JSON.parse(during.results[0]!).error.reason, 'unknown_tool');

    await until('the crashed server to be restarted', async () => (await readyz()).mcp.find((s) => s.name === 'bad')?.state === 'up');
    assert.notEqual(server('bad').pid, pid, 'a new child process');
    const again = await loop(['bad__echo', { text: 'back' }]);
    assert.match(again.results[0]!, /^back/);
  });
});

describe('an HTTP server that goes away and comes back', () => {
  test('error results while it is away, /readyz shows it, reconnect when it returns', async () => {
    assert.equal(server('fix').state, 'connected');
    await fixture.stop();
    const away = await loop(['fix__add', { a: 1, b: 2 }]);
    const reason = JSON.parse(away.results[0]!).error.reason;
    assert.ok(['server_unavailable', 'tool_error'].includes(reason), reason);
    assert.notEqual(away.rows[0]!.status, 'ok');

    await until('/readyz to report fix as down', async () => (await readyz()).mcp.find((s) => s.name === 'fix')?.state === 'down');
    assert.ok(server('fix').error ?? server('fix').lastError, 'the reason is kept for the admin API');

    await fixture.restart();
    await until(
      'fix to reconnect',
      async () => (await readyz()).mcp.find((s) => s.name === 'fix')?.state === 'up' && Boolean(gw.gateway.mcp.getTool('fix__add')),
      40_000,
    );
    const back = await loop(['fix__add', { a: 1, b: 2 }]);
    assert.equal(back.results[0], '3');
  });
});

// A stdio MCP server's crafted replies against the gateway's client, which hands plain result
// responses straight to the waiting request (mcp/stdio-read.ts handPlainResults,
// GatewayClient.takeResult) with no SDK timer per call: a result after the call timed out, a result
// for an id not asked yet, the same answer twice, a server request carrying a waiting call's id,
// answers out of order. Each call gets its own answer or its own timeout, never another's; nothing
// is left waiting in the client afterwards; the server stays up. Fixture: tests/fixtures/mcp-crafted-replies.mjs
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import type { MockReply } from '../mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { toolResultsOf } from '../helpers/wire.js';

const VK = 'vk-mcp-crafted-replies1';
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: {
        crafted: {
          transport: 'stdio',
          command: process.execPath,
          args: [fileURLToPath(new URL('../fixtures/mcp-crafted-replies.mjs', import.meta.url))],
          callTimeoutMs: 400,
        },
      },
      virtualKeys: [{ id: 'crafted', key: VK, models: ['*'], tools: { allow: ['crafted__*'] } }],
    },
  });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

/** One chat request whose model calls `tools` (in parallel), then answers with the tool results it got. */
async function loop(...tools: [string, unknown][]) {
  const reply: MockReply = { kind: 'tool_calls', calls: tools.map(([name, args]) => ({ name, arguments: args })) };
  mock.enqueue(reply);
  mock.fallback = (body) => ({ kind: 'text', text: JSON.stringify(toolResultsOf(body).map((r) => r.content)) });
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'use tools' }] }),
  });
  const json = (await res.json()) as any;
  assert.equal(res.status, 200, JSON.stringify(json));
  const rows = await gw.query<{ status: string }>(
    'SELECT status FROM tool_calls WHERE request_id = ? ORDER BY ts',
    res.headers.get('x-request-id'),
  );
  return { results: JSON.parse(json.choices[0].message.content) as string[], statuses: rows.map((r) => r.status) };
}

/** What the SDK client still holds for requests sent and not answered (SDK 2.4 internals). */
function waiting(): { handlers: number; timeouts: number; progress: number } {
  const link = (gw.gateway.mcp as unknown as { links: { name: string; client?: object }[] }).links.find((l) => l.name === 'crafted')!;
  const c = link.client as {
    _responseHandlers: Map<number, unknown>;
    _timeoutInfo: Map<number, unknown>;
    _progressHandlers: Map<number, unknown>;
  };
  return { handlers: c._responseHandlers.size, timeouts: c._timeoutInfo.size, progress: c._progressHandlers.size };
}

test('late, future, duplicate and id-carrying replies answer no other call, and nothing is left waiting', async () => {
  const pid = () => gw.gateway.mcp.status().find((s) => s.name === 'crafted')!.pid;
  const started = pid();

  // Times out: its result comes later, in front of the next call's answer.
  const timedOut = await loop(['crafted__late', {}]);
  assert.equal(timedOut.statuses[0], 'timeout');
  assert.match(timedOut.results[0]!, /tool_timeout/);

  // The late result, a result for the next id, a server request with this id, then the answer and its duplicate.
  const first = await loop(['crafted__echo', { text: 'one' }]);
  assert.deepEqual(first.results, ['echo:one']);
  // The next id was answered (FUTURE) before it was asked, and the last call's duplicate came after: neither is this answer.
  const second = await loop(['crafted__echo', { text: 'two' }]);
  assert.deepEqual(second.results, ['echo:two']);

  // In parallel, answered out of order (the first call's answer comes last).
  const both = await loop(['crafted__echo', { text: 'slow', delayMs: 150 }], ['crafted__echo', { text: 'fast' }]);
  assert.deepEqual(both.results, ['echo:slow', 'echo:fast']);
  assert.deepEqual(both.statuses, ['ok', 'ok']);

  assert.deepEqual(waiting(), { handlers: 0, timeouts: 0, progress: 0 });
  assert.equal(pid(), started, 'the server was not restarted');
});

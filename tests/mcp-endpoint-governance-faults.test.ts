// A tool call that throws inside the governed call still has its tool_calls row. Here the throw is
// governance failing closed: Redis (behind a loopback TCP proxy) goes away while a key with a
// per-tool rate limit calls a tool, so its check answers 503 budget_store_unavailable. Before, an
// /mcp tools/call that met it wrote a requests row (500, "internal error") but no tool_calls row,
// and its client got a misleading -32602 "Invalid tools/call result"; a chat request whose model
// called the tool failed 503 with no tool_calls row either. Now the call is recorded denied with
// the error's code as its reason, the /mcp request row carries the error's status and words, and
// the /mcp client gets -32603 naming it. Skipped, saying why, without Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startStack, type Stack } from './helpers/stack.js';
import { connectTestRedis, REDIS_URL, type TestRedis } from './helpers/services.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { waitFor } from './helpers/wait-for.js';
import { connectStreamable, textOf } from '../mcp/server/testing.js';

const redis = await connectTestRedis();
const skip = typeof redis === 'string' ? redis : false;
if (skip) console.log(`# skipping governance fault tests: ${skip}`);

const KEY = 'vk-governance-faults-limited-1';
let proxy: TcpProxy;
let stack: Stack;

before(async () => {
  if (skip) return;
  const target = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  stack = await startStack({
    mcp: { as: 'fx' },
    providers: { maxRetries: 0 },
    redis: { url: proxy.url, prefix: (redis as TestRedis).prefix },
    config: {
      virtualKeys: [
        // No request rate limit and no budget: admission never asks Redis; the tool's limit does.
        {
          id: 'limited',
          key: KEY,
          models: ['*'],
          tools: { allow: ['fx__*'] },
          toolLimits: [{ tool: 'fx__echo', calls: 100, window: '1m' }],
        },
      ],
    },
  });
});
after(async () => {
  if (skip) return;
  proxy.up();
  await stack.stop();
  await proxy.close();
  await (redis as TestRedis).cleanup();
});

interface Row {
  request_id: string | null;
  status: string;
  decision: string;
  reason: string | null;
  error: string | null;
  cost_usd: number;
}

const toolRowsOf = (requestId: string) =>
  stack.gw.query<Row>('SELECT request_id, status, decision, reason, error, cost_usd FROM tool_calls WHERE request_id = ?', requestId);

const deniedForOutage = { status: 'denied', decision: 'denied', reason: 'budget_store_unavailable', cost_usd: 0 };

describe('a tool call governance cannot decide (its store is away)', { skip }, () => {
  test('/mcp: the client gets an error naming it; the call has its tool_calls row and a 503 request row', async () => {
    const agent = await connectStreamable(stack.gw.url, KEY);
    try {
      assert.equal(textOf(await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'up' } })), 'up');
      proxy.down();
      const err = await agent.client.callTool({ name: 'fx__echo', arguments: { text: 'down' } }).then(
        () => assert.fail('no result while the tool limit cannot be checked'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof McpError, String(err));
      assert.equal(err.code, -32603);
      assert.match(err.message, /budget store unavailable/i);
    } finally {
      proxy.up();
      await agent.close();
    }
    const [failed, ...more] = await stack.gw.query<{
      id: string;
      status: number;
      error_type: string;
      error_message: string;
      tool_calls: number;
    }>(
      "SELECT id, status, error_type, error_message, tool_calls FROM requests WHERE key_id = 'limited' AND surface = 'mcp' AND status <> 200",
    );
    assert.equal(more.length, 0);
    assert.ok(failed, 'the failed call has its requests row');
    assert.deepEqual([failed.status, failed.error_type, failed.tool_calls], [503, 'budget_store_unavailable', 1]);
    assert.match(failed.error_message, /budget store unavailable/i);
    const rows = await toolRowsOf(failed.id);
    assert.equal(rows.length, 1, 'and its tool_calls row');
    const { error, ...row } = rows[0]!;
    assert.deepEqual(row, { request_id: failed.id, ...deniedForOutage });
    assert.match(error ?? '', /budget store unavailable/i);
    // The operator's log says what failed: the gateway inside a tool call, for this key.
    const logged = stack.gw.logs.filter((line) => /budget store unavailable/i.test(line));
    assert.ok(
      logged.some(
        (line) =>
          line.startsWith('error ') &&
          line.includes('"keyId":"limited"') &&
          line.endsWith('mcp endpoint tool call failed inside the gateway'),
      ),
      logged.join('\n'),
    );
    assert.ok(!logged.some((line) => line.includes('notification failed')), logged.join('\n'));
  });

  test('chat: the request fails 503 as before, and the call the model made has its tool_calls row', async () => {
    // Redis goes away once the first round is upstream (the request's own start needs it), after
    // the gateway is connected again since the test before.
    const chat = (content: string) =>
      fetch(`${stack.gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] }),
      });
    await waitFor(async () => (await chat('ready?')).status === 200, 15_000, 'the gateway to reach Redis again', 100);
    stack.mock.reset();
    stack.mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fx__echo', arguments: { text: 'hi' } }], delayMs: 300 });
    let res: Response;
    try {
      const pending = chat('echo hi');
      await waitFor(() => stack.mock.requests.length > 0, 5_000, 'the first round to reach the upstream');
      proxy.down();
      res = await pending;
      await res.arrayBuffer();
    } finally {
      proxy.up();
    }
    assert.equal(res.status, 503);
    const id = res.headers.get('x-request-id') ?? '';
    const [request] = await stack.gw.query<{ status: number }>('SELECT status FROM requests WHERE id = ?', id);
    assert.equal(request?.status, 503);
    const rows = await toolRowsOf(id);
    assert.equal(rows.length, 1, 'the call has its row');
    const { error, ...row } = rows[0]!;
    assert.deepEqual(row, { request_id: id, ...deniedForOutage });
    assert.match(error ?? '', /budget store unavailable/i);
  });
});

// MCP credentials never leave the gateway (issue 15, item 4): unauthenticated /readyz says up or
// down per server and nothing more; URLs lose userinfo and query everywhere (admin API, logs,
// ledger); models and /mcp clients get a generic "server unavailable" instead of transport errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { McpHttpServer } from '../fixtures/mcp-http-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { toolResultsOf } from '../helpers/wire.js';
import { connectStreamable, textOf } from '../../mcp/server/testing.js';
import { waitFor } from '../helpers/wait-for.js';

const VK = 'vk-secrets-mcp-test1';
const ADMIN = 'admin-secrets-mcp-01';
const SECRETS = [
  'QUERYSECRET-fix-1',
  'HEADERSECRET-fix-1',
  'USERINFOSECRET-gone',
  'QUERYSECRET-gone',
  'STDERRPASS-crash',
  'STDERRQUERY-crash',
];
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  const crash = `console.error('cannot reach http://svc:${SECRETS[4]}@db.internal/x?key=${SECRETS[5]}'); process.exit(3)`;
  ({ mock, fixture, gw, stop } = await startStack({
    adminToken: ADMIN,
    mcp: true,
    config: ({ fixture }) => ({
      mcpServers: {
        fix: { transport: 'http', url: `${fixture!.url}?api_key=${SECRETS[0]}`, headers: { 'x-api-token': SECRETS[1] } },
        gone: { transport: 'http', url: `http://robot:${SECRETS[2]}@127.0.0.1:1/mcp?token=${SECRETS[3]}` },
        crash: { transport: 'stdio', command: process.execPath, args: ['-e', crash] },
      },
      virtualKeys: [{ id: 'sec', key: VK, models: ['*'], tools: { allow: ['fix__*'] } }],
    }),
  }));
  await waitFor(() => gw.gateway.mcp.status().every((s) => s.state !== 'connecting'), 20_000, 'every server to connect or fail');
});
after(() => stop?.());

function assertNoSecret(where: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} contains ${s}: ${text.slice(0, 2000)}`);
}

describe('MCP credentials', () => {
  test('/readyz (no auth) reports only up or down per server', async () => {
    const res = await fetch(`${gw.url}/readyz`);
    const body = (await res.json()) as { mcp: unknown[] };
    assert.deepEqual(
      body.mcp.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        { name: 'crash', state: 'down' },
        { name: 'fix', state: 'up' },
        { name: 'gone', state: 'down' },
      ],
    );
    assertNoSecret('/readyz', JSON.stringify(body));
  });

  test('the admin API and the startup log keep the reasons, with URLs and configured secrets redacted', async () => {
    const res = await fetch(`${gw.url}/api/mcp-servers`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(text, /127\.0\.0\.1:1\/mcp\?token=\[redacted\]/, 'the failing URL is named, without its credentials');
    assert.match(text, /cannot reach http:\/\/\[redacted\]@db\.internal\/x\?key=\[redacted\]/, "the child's stderr, redacted");
    assertNoSecret('/api/mcp-servers', text);
    assertNoSecret('logs', gw.logs.join('\n'));
  });

  test('a server that goes away: the model and /mcp clients get a generic message; the ledger and logs no secret', async () => {
    await fixture.stop();
    try {
      mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__add', arguments: { a: 1, b: 2 } }] });
      mock.fallback = (body) => ({ kind: 'text', text: toolResultsOf(body)[0]?.content ?? 'none' });
      const client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'add' }] });
      const told = JSON.parse(res.choices[0]!.message.content!) as { error: { reason: string; message: string } };
      assert.equal(told.error.reason, 'server_unavailable');
      assert.equal(told.error.message, 'the MCP server is unavailable; try again later');

      const mcp = await connectStreamable(gw.url, VK);
      try {
        await waitFor(() => gw.gateway.mcp.status().find((s) => s.name === 'fix')?.state !== 'connected', 20_000, 'fix to be down');
        const result = await mcp.client.callTool({ name: 'fix__add', arguments: { a: 1, b: 2 } });
        // Down long enough to be unlisted: "no tool named…"; mid-call it would be the generic "unavailable".
        assert.match(textOf(result), /unavailable|no tool named/);
        assertNoSecret('/mcp result', JSON.stringify(result));
      } finally {
        await mcp.close();
      }
      const rows = await gw.query<{ error: string | null }>('SELECT error FROM tool_calls');
      assert.ok(
        rows.some((r) => r.error),
        'the ledger keeps the reason',
      );
      assertNoSecret('tool_calls.error', JSON.stringify(rows));
      assertNoSecret('logs', gw.logs.join('\n'));
    } finally {
      await fixture.restart();
    }
  });
});

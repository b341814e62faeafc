// A stream whose own ending work fails after its first bytes (src/chat/settle-stream.ts `done`): here
// the approval store refusing the mcp_approval_request a Responses stream ends with. The client must
// get the SSE error frame and the end of the stream (never a stream left open with no end), and the
// ledger its requests row with the error, beside the round's llm_calls row. Before, the rejection of
// `done` went nowhere (Promise.race had already settled on the stream's start): the client's stream
// stayed open for good, no requests row was written and the request was never released.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';

const VK = 'vk-stream-end-failure-1';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        // A native Responses upstream and a Chat Completions one (the translated run).
        native: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-sef' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
        },
        chat: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-sef' }], models: ['gpt-4o-mini'] },
      },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      pricing: { 'native/gpt-5': { inputPerMTok: 1, outputPerMTok: 1 }, 'chat/gpt-4o-mini': { inputPerMTok: 1, outputPerMTok: 1 } },
      virtualKeys: [{ id: 'sef', key: VK, models: ['*'], tools: { allow: ['fix__*'] }, budget: { usd: 5, period: 'month' } }],
    },
  });
  // The store refuses every approval write from now on (as a database refusing a row would).
  const db = new Database(gw.dbPath);
  db.exec('DROP TABLE mcp_approvals');
  db.close();
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});

for (const model of ['native/gpt-5', 'chat/gpt-4o-mini'])
  test(`${model}: a stream whose approval request cannot be stored ends with an error frame and is in the ledger`, async () => {
    mock.enqueue({
      kind: 'tool_calls',
      calls: [{ id: 'call_add', name: 'fix__add', arguments: { a: 1, b: 2 } }],
      usage: { input: 9, output: 3 },
    });
    const res = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        input: 'add',
        stream: true,
        tools: [{ type: 'mcp', server_label: 'fix', require_approval: 'always' }],
      }),
      // Without the fix the stream never ends: fail in seconds rather than hang the run.
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id');
    const text = await res.text();
    const events = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    const types = events.map((e) => e.type);
    assert.ok(types.includes('error'), types.join(' '));
    assert.equal(types.at(-1), 'response.failed');
    assert.ok(!types.includes('response.completed'));

    const [row] = await gw.query<any>('SELECT status, error_type, prompt_tokens FROM requests WHERE id = ?', id);
    assert.ok(row, 'a requests row');
    assert.equal(row.status, 500);
    assert.equal(Number(row.prompt_tokens), 9);
    const calls = await gw.query<any>('SELECT status FROM llm_calls WHERE request_id = ?', id);
    assert.deepEqual(
      calls.map((c) => c.status),
      [200],
    );
  });

// An approval runs the stored call in a later request, and that request's x-tollgate-tools header
// is its narrowing: a call the follow-up narrows away does not run, though a person approved it,
// as a stitched result is re-checked against the key's current rules. On a translated (chat)
// upstream and on a native Responses one. Recorded as a denial, reason tool_not_offered.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-approvals-narrowed-1';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: {
        ...mockProviders(mock),
        nat: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-nat' }], models: ['gpt-5'], apis: ['chat', 'responses'] },
      },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [{ id: 'narrowed', key: VK, models: ['*'], tools: { allow: ['fix__*'] } }],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => {
  mock.reset();
  fixture.calls.length = 0;
});

const tools: OpenAI.Responses.Tool[] = [{ type: 'mcp', server_label: 'fix', allowed_tools: ['add', 'echo'], require_approval: 'always' }];

for (const model of ['openai/gpt-4o-mini', 'nat/gpt-5']) {
  test(`${model}: an approved call the follow-up's x-tollgate-tools narrows away does not run`, async () => {
    mock.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_add_n', name: 'fix__add', arguments: { a: 2, b: 3 } }] });
    const res = await client.responses.create({ model, input: 'add 2 and 3', tools });
    const request = res.output.find((i) => i.type === 'mcp_approval_request');
    assert.ok(request, JSON.stringify(res.output));

    mock.fallback = () => ({ kind: 'text', text: 'done' });
    const approve = { type: 'mcp_approval_response' as const, approval_request_id: request.id, approve: true };
    const follow = await client.responses.create(
      { model, previous_response_id: res.id, input: [approve], tools },
      { headers: { 'x-tollgate-tools': 'fix__echo' } },
    );
    assert.deepEqual(fixture.calls, [], 'the narrowed-away call did not run');
    const rows = await gw.query<{ name: string; decision: string; reason: string | null }>(
      'SELECT name, decision, reason FROM tool_calls WHERE request_id = ? ORDER BY ts',
      (follow as { _request_id?: string | null })._request_id!,
    );
    assert.deepEqual(
      rows.map((r) => [r.name, r.decision, r.reason]),
      [['fix__add', 'denied', 'tool_not_offered']],
    );
  });
}

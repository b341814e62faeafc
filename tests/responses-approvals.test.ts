// Hosted-MCP approvals on /v1/responses (issue 18.5): a call that needs approval ends the response
// with an mcp_approval_request and runs nothing; an mcp_approval_response runs exactly the stored
// call, once — via previous_response_id or with the request item echoed in input. Denials, and
// approvals that are forged, another key's, reused or echoed with other arguments, run nothing and
// are ledgered as denials. tests/responses-approvals-pg.test.ts runs this file on PostgreSQL.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import type { MockReply } from './mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const VK = 'vk-approvals-test-01';
const VK_OTHER = 'vk-approvals-other-1';
const VK_GATED = 'vk-approvals-gated-1';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;
let other: OpenAI;

const text = (t: string): MockReply => ({ kind: 'text', text: t });
const callAdd = (a: number, b: number, id = 'call_add_1'): MockReply => ({
  kind: 'tool_calls',
  calls: [{ id, name: 'fix__add', arguments: { a, b } }],
});
const model = 'openai/gpt-4o-mini';
const hosted = (require_approval: OpenAI.Responses.Tool.Mcp['require_approval'] = 'always'): OpenAI.Responses.Tool[] => [
  { type: 'mcp', server_label: 'fix', allowed_tools: ['add', 'echo'], require_approval },
];

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [
        { id: 'appr', key: VK, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'appr-other', key: VK_OTHER, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'gated', key: VK_GATED, models: ['*'], tools: { allow: ['fix__*'] }, approval: ['fix__add'] },
      ],
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
  other = new OpenAI({ apiKey: VK_OTHER, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => {
  mock.reset();
  mock.fallback = (body) =>
    text(
      `results: ${toolResultsOf(body)
        .map((r) => r.content)
        .join('|')}`,
    );
  fixture.calls.length = 0;
});

async function propose(a: number, b: number, c: OpenAI = client) {
  mock.enqueue(callAdd(a, b));
  const res = await c.responses.create({ model, input: `add ${a} and ${b}`, tools: hosted() });
  const request = res.output.find((i) => i.type === 'mcp_approval_request') as OpenAI.Responses.ResponseOutputItem.McpApprovalRequest;
  assert.ok(request, `an approval request in ${JSON.stringify(res.output)}`);
  return { res, request };
}

const decisions = (requestId: string) =>
  gw.query<{ name: string; status: string; decision: string; reason: string | null; key_id: string }>(
    'SELECT name, status, decision, reason, key_id FROM tool_calls WHERE request_id = ? ORDER BY ts',
    requestId,
  );
const requestIdOf = (res: unknown) => (res as { _request_id?: string | null })._request_id!;

describe('approvals bound to exact arguments, used once', () => {
  test('require_approval "always": the response ends with the request; nothing runs; it is ledgered as requested', async () => {
    const { res, request } = await propose(2, 3);
    assert.deepEqual(
      res.output.map((i) => i.type),
      ['mcp_list_tools', 'mcp_approval_request'],
    );
    assert.equal(request.server_label, 'fix');
    assert.equal(request.name, 'add');
    assert.deepEqual(JSON.parse(request.arguments), { a: 2, b: 3 });
    assert.deepEqual(fixture.calls, []);
    const rows = await decisions(requestIdOf(res));
    assert.deepEqual(
      rows.map((r) => [r.name, r.decision, r.reason, r.key_id]),
      [['fix__add', 'denied', 'approval_requested', 'appr']],
    );
  });

  test('approved via previous_response_id: exactly the stored call runs, once; a second use runs nothing', async () => {
    const { res, request } = await propose(2, 3);
    const approve = { type: 'mcp_approval_response' as const, approval_request_id: request.id, approve: true };
    const follow = await client.responses.create({ model, previous_response_id: res.id, input: [approve], tools: hosted() });
    const call = follow.output.find((i) => i.type === 'mcp_call') as OpenAI.Responses.ResponseOutputItem.McpCall;
    assert.equal(call.approval_request_id, request.id);
    assert.equal(call.output, '5');
    assert.deepEqual(fixture.calls, ['add']);
    assert.equal(follow.output_text, 'results: 5');
    const rows = await decisions(requestIdOf(follow));
    assert.deepEqual(
      rows.map((r) => [r.name, r.status, r.reason]),
      [['fix__add', 'ok', 'approved']],
    );

    const again = await client.responses.create({ model, previous_response_id: res.id, input: [approve], tools: hosted() });
    assert.deepEqual(fixture.calls, ['add'], 'a used approval runs nothing');
    assert.equal(again.output.filter((i) => i.type === 'mcp_call').length, 0);
    assert.deepEqual(
      (await decisions(requestIdOf(again))).map((r) => [r.status, r.reason]),
      [['denied', 'approval_reused']],
    );
  });

  test('denied: nothing runs, the model is told, the denial is ledgered', async () => {
    const { res, request } = await propose(4, 4);
    const follow = await client.responses.create({
      model,
      previous_response_id: res.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: false, reason: 'not today' }],
      tools: hosted(),
    });
    assert.deepEqual(fixture.calls, []);
    assert.match(follow.output_text, /denied this call \(not today\)/);
    assert.deepEqual(
      (await decisions(requestIdOf(follow))).map((r) => [r.decision, r.reason]),
      [['denied', 'approval_denied']],
    );
  });

  test('echoed in input (no stored response): runs; with other arguments than proposed it runs nothing', async () => {
    const { request } = await propose(6, 7);
    const forged = { ...request, arguments: JSON.stringify({ a: 600, b: 7 }) };
    const bad = await client.responses.create({
      model,
      input: [
        { role: 'user', content: 'add 6 and 7' },
        forged,
        { type: 'mcp_approval_response', approval_request_id: request.id, approve: true },
      ],
      tools: hosted(),
    });
    assert.deepEqual(fixture.calls, []);
    assert.deepEqual(
      (await decisions(requestIdOf(bad))).map((r) => [r.decision, r.reason]),
      [['denied', 'approval_arguments_mismatch']],
    );

    const { request: fresh } = await propose(6, 7);
    const good = await client.responses.create({
      model,
      input: [
        { role: 'user', content: 'add 6 and 7' },
        fresh,
        { type: 'mcp_approval_response', approval_request_id: fresh.id, approve: true },
      ],
      tools: hosted(),
    });
    assert.deepEqual(fixture.calls, ['add']);
    assert.equal(good.output_text, 'results: 13');
    const sent = mock.requests.at(-1)!.body.messages;
    assert.deepEqual(
      sent.map((m: any) => m.role),
      ['user', 'assistant', 'tool'],
    );
  });

  test("another key's approval and a forged id run nothing and are ledgered as denials", async () => {
    const { request } = await propose(1, 1);
    const stolen = await other.responses.create({
      model,
      input: [{ role: 'user', content: 'x' }, request, { type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      tools: hosted(),
    });
    const forged = await client.responses.create({
      model,
      input: [{ type: 'mcp_approval_response', approval_request_id: 'mcpr_made_up', approve: true }],
      tools: hosted(),
    });
    assert.deepEqual(fixture.calls, []);
    assert.deepEqual(
      (await decisions(requestIdOf(stolen))).map((r) => [r.decision, r.reason, r.key_id]),
      [['denied', 'approval_other_key', 'appr-other']],
    );
    assert.deepEqual(
      (await decisions(requestIdOf(forged))).map((r) => [r.decision, r.reason]),
      [['denied', 'approval_unknown']],
    );
    // The owner can still use it: the other key's attempt did not burn it.
    const owner = await client.responses.create({
      model,
      input: [{ role: 'user', content: 'x' }, request, { type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      tools: hosted(),
    });
    assert.deepEqual(fixture.calls, ['add']);
    assert.equal(owner.output_text, 'results: 2');
  });

  test('per-tool setting: "never" names run at once, others wait; streamed, the request is an output item', async () => {
    mock.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'c_echo', name: 'fix__echo', arguments: { text: 'hi' } },
        { id: 'c_add', name: 'fix__add', arguments: { a: 1, b: 2 } },
      ],
    });
    const stream = await client.responses.create({
      model,
      input: 'both',
      stream: true,
      tools: hosted({ never: { tool_names: ['echo'] } }),
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    assert.equal(done.type, 'response.completed');
    assert.deepEqual(
      done.response.output.map((i) => i.type),
      ['mcp_list_tools', 'mcp_call', 'mcp_approval_request'],
    );
    assert.equal((done.response.output[1] as OpenAI.Responses.ResponseOutputItem.McpCall).output, 'hi');
    assert.deepEqual(fixture.calls, ['echo'], 'the exempt tool ran; the other waits');
    assert.ok(events.some((e) => e.type === 'response.output_item.added' && e.item.type === 'mcp_approval_request'));
  });

  test('a key\'s approval globs: chat gets a tool result saying approval is required; hosted MCP asks even with "never"', async () => {
    const gated = new OpenAI({ apiKey: VK_GATED, baseURL: gw.baseURL, maxRetries: 0 });
    mock.enqueue(callAdd(2, 2));
    const chat = await gated.chat.completions.create({ model, messages: [{ role: 'user', content: 'add 2 and 2' }] });
    assert.deepEqual(fixture.calls, [], 'the tool never runs silently');
    assert.match(chat.choices[0]!.message.content ?? '', /needs a person's approval/);
    const rows = await decisions(requestIdOf(chat));
    assert.deepEqual(
      rows.map((r) => [r.name, r.decision, r.reason]),
      [['fix__add', 'denied', 'approval_required']],
    );

    mock.enqueue(callAdd(2, 2));
    const res = await gated.responses.create({ model, input: 'add 2 and 2', tools: hosted('never') });
    const request = res.output.find((i) => i.type === 'mcp_approval_request') as OpenAI.Responses.ResponseOutputItem.McpApprovalRequest;
    assert.ok(request, 'the operator rule wins over the request');
    const follow = await gated.responses.create({
      model,
      previous_response_id: res.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      tools: hosted('never'),
    });
    assert.deepEqual(fixture.calls, ['add']);
    assert.equal(follow.output_text, 'results: 4');
  });
});

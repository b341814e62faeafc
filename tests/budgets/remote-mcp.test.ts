// The budget rule against MCP servers the upstream itself calls: a Responses `mcp` tool with a
// `server_url` (or a `connector_id`) and Anthropic's MCP connector (`mcp_servers`) make the upstream
// list and call tools of a server the gateway never sees, and bill their listings and results as
// input tokens. The request's bytes do not bound them (the server, which the client may run,
// answers what it likes, as often as the model calls it), so no reservation can: an attacker with
// a $0.05 budget spent $0.20 a request this way. Under a budget such a request is refused before
// anything is sent (400 remote_input_under_budget); a key without a budget passes it on as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, figure, ledgerSpend, postJson, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
/** What one request's remote MCP listing and results bring in: 20,000 tokens ($0.20 at PRICE). */
const REMOTE_TOKENS = 20_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('rmcp', budgetedAndFree('rmcp', BUDGET), { anthropic: true }));
  mock.fallback = (body) => {
    const remote =
      (Array.isArray(body.tools) && body.tools.some((t: { type?: string }) => t?.type === 'mcp')) ||
      (Array.isArray(body.mcp_servers) && body.mcp_servers.length > 0);
    return { kind: 'text', text: 'ok', usage: { input: 10 + (remote ? REMOTE_TOKENS : 0), output: 16 } };
  };
});
after(() => stop?.());

const post = (path: string, key: string, body: object) => postJson(gw, path, key, body, { 'anthropic-beta': 'mcp-client-2025-04-04' });

const serverUrl = {
  model: 'oai/gpt-5',
  max_output_tokens: 16,
  input: 'use the tool',
  tools: [{ type: 'mcp', server_label: 'mine', server_url: 'https://mcp.example.com/mcp', require_approval: 'never' }],
};
const connector = {
  model: 'oai/gpt-5',
  max_output_tokens: 16,
  input: 'use the tool',
  tools: [
    { type: 'function', name: 'f', parameters: { type: 'object' } },
    { type: 'mcp', server_label: 'drive', connector_id: 'connector_googledrive' },
  ],
};
const connectorMessages = {
  model: 'ant/claude-sonnet-4-5',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'use the tool' }],
  mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'mine' }],
};

test('under a budget, remote MCP servers cannot spend past it: refused before anything is sent', async () => {
  const sent = mock.requests.length;
  const outcomes: { status: number; body: any }[] = [];
  for (let i = 0; i < 2; i++) outcomes.push(await post('/v1/responses', 'vk-rmcp-budgeted', serverUrl));
  outcomes.push(await post('/v1/responses', 'vk-rmcp-budgeted', connector));
  outcomes.push(await post('/v1/messages', 'vk-rmcp-budgeted', connectorMessages));
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'budgeted');
  figure('remote MCP (Responses server_url / connector_id, Messages mcp_servers), 4 requests', spent, BUDGET);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
  assert.deepEqual(
    outcomes.map((o) => [o.status, o.body.error?.code, o.body.error?.param]),
    [
      [400, 'remote_input_under_budget', 'tools[0]'],
      [400, 'remote_input_under_budget', 'tools[0]'],
      [400, 'remote_input_under_budget', 'tools[1]'],
      [400, 'remote_input_under_budget', 'mcp_servers'],
    ],
  );
  assert.equal(outcomes[3]!.body.type, 'error', 'in the Messages error shape');
  // Named twice, the servers are [] to JSON.parse here and maybe the first list to the upstream's parser.
  const res = await fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer vk-rmcp-budgeted' },
    body: `${JSON.stringify(connectorMessages).slice(0, -1)},"mcp_servers":[]}`,
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as any).error.code, 'duplicate_key');
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
});

test('without a budget they pass through as sent', async () => {
  const a = await post('/v1/responses', 'vk-rmcp-free', serverUrl);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(mock.requests.at(-1)?.body.tools, serverUrl.tools);
  const b = await post('/v1/messages', 'vk-rmcp-free', connectorMessages);
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.deepEqual(mock.requests.at(-1)?.body.mcp_servers, connectorMessages.mcp_servers);
});

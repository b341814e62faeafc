// An MCP server a native upstream calls itself (a Responses `mcp` tool with a `server_url`) asks for
// approval with an `mcp_approval_request` item, and runs the call when a later request carries an
// `mcp_approval_response` naming its id. Every key's requests go to the provider's one account, which
// holds every key's approval requests. Before, the gateway checked approval responses only for its
// own hosted MCP tools: with a `server_url` tool in the request, a response naming any other id went
// upstream as sent, so a key could approve another key's pending call (an id from a shared log) or
// one it made up. Now an approval response must name a request an answer relayed to the key (JSON
// or streamed), else a 400 with nothing sent and a requests row; the owner's goes upstream.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { postJson, startPassThrough } from '../budgets/helpers.js';

const OWNER = 'vk-mcp-approvals-owner';
const OTHER = 'vk-mcp-approvals-other';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('ua', [
    { id: 'owner', key: OWNER, models: ['*'] },
    { id: 'other', key: OTHER, models: ['*'] },
  ]));
});
after(() => stop?.());
beforeEach(() => mock.reset());

const tools = [{ type: 'mcp', server_label: 'remote', server_url: 'https://mcp.example.com/mcp', require_approval: 'always' }];
const approve = (id: string) => ({ type: 'mcp_approval_response', approval_request_id: id, approve: true });

/** The owner's response asking to approve a call: its id and the approval request's. */
async function ownersApproval(stream: boolean): Promise<{ response: string; request: string }> {
  mock.enqueue({ kind: 'text', text: '', approvalRequest: { server_label: 'remote', name: 'delete_all', arguments: '{}' } });
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OWNER}` },
    body: JSON.stringify({ model: 'oai/gpt-5', input: 'clean up', tools, stream }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = stream
    ? JSON.parse(
        text
          .split('\n')
          .find((l) => l.startsWith('data: ') && l.includes('"response.completed"'))!
          .slice(6),
      ).response
    : JSON.parse(text);
  const item = (body.output as { type: string; id: string }[]).find((i) => i.type === 'mcp_approval_request');
  assert.ok(item, text);
  return { response: body.id, request: item.id };
}

async function lastRow(keyId: string): Promise<{ status: number; error_type: string | null } | undefined> {
  await gw.quiet(50);
  const rows = await gw.query<{ status: number; error_type: string | null }>(
    'SELECT status, error_type FROM requests WHERE key_id = ? ORDER BY ts DESC LIMIT 1',
    keyId,
  );
  return rows[0];
}

for (const stream of [false, true]) {
  test(`another key cannot approve an upstream MCP server's call it was not asked about (${stream ? 'streamed' : 'JSON'}); the owner can`, async () => {
    const { response, request } = await ownersApproval(stream);
    mock.reset();
    for (const id of [request, 'mcpr_made_up']) {
      const stolen = await postJson(gw, '/v1/responses', OTHER, { model: 'oai/gpt-5', input: [approve(id)], tools });
      assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
      assert.equal(stolen.body.error.message, `Approval request with id '${id}' not found.`);
      assert.equal(stolen.body.error.param, 'input[0]');
      assert.equal(stolen.body.error.type, 'invalid_request_error');
      assert.deepEqual(await lastRow('other'), { status: 400, error_type: 'invalid_request_error' });
    }
    // Echoing a made-up request item beside it changes nothing.
    const echoed = await postJson(gw, '/v1/responses', OTHER, {
      model: 'oai/gpt-5',
      input: [{ type: 'mcp_approval_request', id: request, server_label: 'remote', name: 'delete_all', arguments: '{}' }, approve(request)],
      tools,
    });
    assert.equal(echoed.status, 400, JSON.stringify(echoed.body));
    assert.equal(echoed.body.error.param, 'input[1]');
    assert.equal(mock.requests.length, 0, 'nothing went upstream for the other key');

    const own = await postJson(gw, '/v1/responses', OWNER, {
      model: 'oai/gpt-5',
      previous_response_id: response,
      input: [approve(request)],
      tools,
    });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.deepEqual(mock.requests.at(-1)!.body.input, [approve(request)]);
  });
}

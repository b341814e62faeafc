// A client that leaves while the tool loop's tools run (after the upstream answered a round with a
// gateway tool call): on every surface the request is recorded 499 client_closed with what ran —
// the round the upstream answered (charged its usage), the tool call (cancelled, charged: it was
// sent) — and nothing that did not: no further round is reserved, sent or charged. Before, the loop
// went on to its next round with the client already gone, and that round, aborted before it was
// sent, was charged its whole reservation as an estimate (an llm_calls row of a call never made);
// and a turn that also called the client's own tool was recorded 200, answered to nobody.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openResponsesSocket } from '../helpers/responses-socket.js';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import type { McpHttpServer } from '../fixtures/mcp-http-server.js';
import { toolResultsOf } from '../helpers/wire.js';
import { waitFor } from '../helpers/wait-for.js';
import { ADMIN, EPS, ledgerSpend, settled } from './helpers.js';

const TOOL_COST = 0.001;
const PRICE = { inputPerMTok: 10, outputPerMTok: 10 };
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

/** One way of asking, per surface: starts the request and returns how to leave it. */
type Ask = (key: string) => Promise<() => void>;

const post =
  (path: string, body: Record<string, unknown>): Ask =>
  async (key) => {
    const controller = new AbortController();
    void fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
      signal: controller.signal,
    })
      .then((res) => res.text())
      .catch(() => undefined);
    return () => controller.abort();
  };

const overWebSocket: Ask = async (key) => {
  const socket = await openResponsesSocket(gw.url, key, { events: false });
  socket.create({ model: 'openai/gpt-4o-mini', max_output_tokens: 50, input: 'go' });
  return () => socket.ws.terminate();
};

const CLIENT_TOOL = { type: 'function', function: { name: 'local_lookup', parameters: { type: 'object', properties: {} } } };
const chat = { model: 'openai/gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'go' }] };
const SURFACES: [string, Ask][] = [
  ['chat, JSON', post('/v1/chat/completions', chat)],
  ['chat, stream', post('/v1/chat/completions', { ...chat, stream: true })],
  // The model also calls the client's own tool: the gateway would hand that call back once its tool ran.
  ['chat, JSON, a mixed turn', post('/v1/chat/completions', { ...chat, tools: [CLIENT_TOOL] })],
  [
    'messages (pass-through to Anthropic), stream',
    post('/v1/messages', { model: 'anthropic/claude-sonnet-4-5', max_tokens: 50, stream: true, messages: chat.messages }),
  ],
  ['responses (over chat), JSON', post('/v1/responses', { model: 'openai/gpt-4o-mini', max_output_tokens: 50, input: 'go' })],
  ['responses (over chat), WebSocket', overWebSocket],
];
const keyId = (i: number) => `left-${i}`;

before(async () => {
  ({ mock, fixture, gw, stop } = await startStack({
    adminToken: ADMIN,
    providers: { maxRetries: 0 },
    mcp: { as: 'fx', server: { callTimeoutMs: 30_000 } },
    config: {
      pricing: { 'openai/gpt-4o-mini': PRICE, 'anthropic/claude-sonnet-4-5': PRICE },
      toolCosts: { fx__slow: TOOL_COST },
      virtualKeys: [...SURFACES.map((_, i) => keyId(i)), 'left-approval'].map((id) => ({
        id,
        key: `vk-${id}-secret`,
        models: ['*'],
        tools: { allow: ['fx__slow'] },
        budget: { usd: 1, period: 'month' },
      })),
    },
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  fixture.calls.length = 0;
  // Round 1 calls the slow tool; a round 2 (which must not happen) would answer.
  mock.fallback = (body) =>
    toolResultsOf(body).length === 0
      ? {
          kind: 'tool_calls',
          calls: [
            { name: 'fx__slow', arguments: { ms: 20_000 } },
            ...((body as { tools?: { function?: { name: string } }[] }).tools?.some((t) => t.function?.name === 'local_lookup')
              ? [{ name: 'local_lookup', arguments: {} }]
              : []),
          ],
        }
      : { kind: 'text', text: 'answered after the tool' };
});

describe('a client that leaves while a tool of the loop runs', () => {
  for (const [i, [surface, ask]] of SURFACES.entries()) {
    test(`${surface}: recorded 499 with the round and the tool call that ran, and no round after them`, { timeout: 30_000 }, async () => {
      const id = keyId(i);
      const leave = await ask(`vk-${id}-secret`);
      await waitFor(() => fixture.calls.includes('slow'), 10_000, 'the slow tool to be called');
      leave();
      const [row] = await waitFor(
        async () => {
          const rows = await gw.query<{
            id: string;
            status: number;
            error_type: string;
            rounds: number;
            tool_calls: number;
            cost_usd: number;
          }>('SELECT id, status, error_type, rounds, tool_calls, cost_usd FROM requests WHERE key_id = ?', id);
          return rows.length ? rows : undefined;
        },
        15_000,
        `the requests row of ${surface}`,
      );
      const llm = await gw.query<{ round: number; status: number; cost_usd: number; cost_basis: string }>(
        'SELECT round, status, cost_usd, cost_basis FROM llm_calls WHERE request_id = ? ORDER BY round, attempt',
        row!.id,
      );
      const tools = await gw.query<{ name: string; status: string; cost_usd: number }>(
        'SELECT name, status, cost_usd FROM tool_calls WHERE request_id = ?',
        row!.id,
      );
      assert.equal(mock.requests.length, 1, 'the upstream was asked once');
      assert.equal(row!.status, 499);
      assert.equal(row!.error_type, 'client_closed');
      assert.deepEqual(
        llm.map((c) => [c.round, c.status, c.cost_basis]),
        [[1, 200, 'usage']],
        'one llm_calls row: the round the upstream answered, at its usage; none for a round never sent',
      );
      assert.deepEqual(
        tools.map((t) => [t.name, t.status, t.cost_usd]),
        [['fx__slow', 'cancelled', TOOL_COST]],
        'the tool call, cancelled after it was sent, charged',
      );
      assert.equal(row!.rounds, 1);
      assert.equal(row!.tool_calls, 1);
      assert.ok(Math.abs(row!.cost_usd - (llm[0]!.cost_usd + TOOL_COST)) < EPS, `request cost ${row!.cost_usd} = its round + its tool`);
      const u = await settled(gw.url, id);
      assert.equal(u.reservedUsd, 0);
      assert.ok(Math.abs(u.spentUsd - (await ledgerSpend(gw, id))) < EPS, 'the budget was charged what the ledger says');
    });
  }
});

test('responses: a client that leaves while the call it approved runs is recorded 499 with that call, and no round', {
  timeout: 30_000,
}, async () => {
  const key = 'vk-left-approval-secret';
  const hosted = [{ type: 'mcp', server_label: 'fx', require_approval: 'always' }];
  const ask = (body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_output_tokens: 50, tools: hosted, ...body }),
      signal,
    });
  const proposed = (await (await ask({ input: 'go' })).json()) as { id: string; output: { type: string; id: string }[] };
  const request = proposed.output.find((i) => i.type === 'mcp_approval_request');
  assert.ok(request, JSON.stringify(proposed.output));
  assert.equal(mock.requests.length, 1);

  const controller = new AbortController();
  const approve = { type: 'mcp_approval_response', approval_request_id: request.id, approve: true };
  void ask({ previous_response_id: proposed.id, input: [approve] }, controller.signal).catch(() => undefined);
  await waitFor(() => fixture.calls.includes('slow'), 10_000, 'the approved call to run');
  controller.abort();
  const [row] = await waitFor(
    async () => {
      const rows = await gw.query<{ id: string; status: number; rounds: number; cost_usd: number }>(
        'SELECT id, status, rounds, cost_usd FROM requests WHERE key_id = ? AND status <> 200',
        'left-approval',
      );
      return rows.length ? rows : undefined;
    },
    15_000,
    "the follow-up's requests row",
  );
  assert.equal(row!.status, 499);
  assert.equal(mock.requests.length, 1, 'no round after the approved call');
  assert.deepEqual(
    await gw.query('SELECT round FROM llm_calls WHERE request_id = ?', row!.id),
    [],
    'no llm_calls row for a round never sent',
  );
  assert.deepEqual(
    (
      await gw.query<{ name: string; status: string; cost_usd: number }>(
        'SELECT name, status, cost_usd FROM tool_calls WHERE request_id = ?',
        row!.id,
      )
    ).map((t) => [t.name, t.status, t.cost_usd]),
    [['fx__slow', 'cancelled', TOOL_COST]],
  );
  assert.equal(row!.rounds, 0);
  assert.ok(Math.abs(row!.cost_usd - TOOL_COST) < EPS, `charged ${row!.cost_usd}: the approved call`);
  const u = await settled(gw.url, 'left-approval');
  assert.ok(Math.abs(u.spentUsd - (await ledgerSpend(gw, 'left-approval'))) < EPS);
});

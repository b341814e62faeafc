// Money under concurrency (issue 9): many keys in two teams under one customer, each with budgets,
// all running tool loops with a paid MCP tool at once. Whatever the interleaving, the spend the
// ledger records stays within the budget at every level — key, team and customer — every request
// row adds up to its LLM attempts plus its tool calls, and the admin usage API agrees.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { toolResultsOf } from '../helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';

const ADMIN = 'admin-money-token-0001';
// $0.00001 per input token, $0.001 per output token: a mock round of 10 in + 5 out costs $0.0051;
// the paid tool costs $0.01 a call, so a full loop (round, two paid calls, round) is $0.0302. Each
// round reserves its worst case, about $0.014 (the offered tools' definitions and the tool-use
// preamble bound the input at ~850 tokens; 5 output tokens).
const PRICE = { inputPerMTok: 10, outputPerMTok: 1000 };
const TOOL_COST = 0.01;
const CUSTOMER = 0.6;
const TEAMS: Record<string, number> = { red: 0.3, blue: 0.4 };
const KEY_BUDGETS: Record<string, number> = { 'red-1': 0.06, 'blue-1': 0.08 };
const KEYS = ['red-1', 'red-2', 'red-3', 'red-4', 'blue-1', 'blue-2', 'blue-3', 'blue-4'];
const secretOf = (id: string) => `vk-money-${id}-secret`;
const EPS = 1e-9;

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    adminToken: ADMIN,
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      pricing: { 'openai/gpt-4o-mini': PRICE, 'anthropic/claude-sonnet-4-5': PRICE },
      toolCosts: { fix__add: TOOL_COST },
      customers: [{ id: 'bigco', budget: { usd: CUSTOMER, period: 'month' } }],
      teams: Object.entries(TEAMS).map(([id, usd]) => ({ id, customer: 'bigco', budget: { usd, period: 'month' } })),
      virtualKeys: KEYS.map((id) => ({
        id,
        key: secretOf(id),
        team: id.split('-')[0],
        models: ['*'],
        tools: { allow: ['fix__add'] },
        ...(KEY_BUDGETS[id] ? { budget: { usd: KEY_BUDGETS[id], period: 'month' } } : {}),
      })),
    },
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});

async function drain(res: Response): Promise<string> {
  const text = await res.text();
  if (res.status !== 200) return String(res.status);
  // A stream that started and then hit the budget ends with an error frame.
  return /"error"/.test(text) && text.startsWith('data:') ? 'stream-error' : '200';
}

describe('money', () => {
  test('parallel tool loops on shared budgets: recorded spend ≤ budget at key, team and customer level', { timeout: 60_000 }, async () => {
    mock.fallback = (body) =>
      toolResultsOf(body).length === 0 && body.tools?.length
        ? {
            kind: 'tool_calls',
            calls: [
              { name: 'fix__add', arguments: { a: 1, b: 2 } },
              { name: 'fix__add', arguments: { a: 3, b: 4 } },
            ],
            usage: { input: 10, output: 5 },
            delayMs: 5,
          }
        : { kind: 'text', text: 'done', usage: { input: 10, output: 5 }, delayMs: 5 };
    const jobs = Array.from({ length: 96 }, (_, i) => {
      const id = KEYS[i % KEYS.length]!;
      return fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        // A hung request must fail the test, not stall CI.
        signal: AbortSignal.timeout(20_000),
        headers: { authorization: `Bearer ${secretOf(id)}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: i % 5 === 0 ? 'anthropic/claude-sonnet-4-5' : 'openai/gpt-4o-mini',
          max_tokens: 5,
          stream: i % 3 === 0,
          messages: [{ role: 'user', content: 'add' }],
        }),
      }).then(drain, (err: Error) => `failed: ${err.message}`);
    });
    const outcomes = await Promise.all(jobs);
    assert.ok(
      outcomes.every((o) => ['200', '402', 'stream-error'].includes(o)),
      outcomes.join(','),
    );
    assert.ok(outcomes.includes('200'), 'some loops fit');
    assert.ok(outcomes.includes('402'), 'the budgets refuse the rest');

    const sum = async (where: string, ...params: unknown[]) =>
      (await gw.query<{ s: number | null }>(`SELECT sum(cost_usd) AS s FROM requests WHERE ${where}`, ...params))[0]!.s ?? 0;
    for (const [id, usd] of Object.entries(KEY_BUDGETS)) {
      const spent = await sum('key_id = ?', id);
      assert.ok(spent <= usd + EPS, `key ${id}: spent ${spent} > ${usd}`);
    }
    for (const [id, usd] of Object.entries(TEAMS)) {
      const spent = await sum('team_id = ?', id);
      assert.ok(spent <= usd + EPS, `team ${id}: spent ${spent} > ${usd}`);
    }
    const total = await sum('customer_id = ?', 'bigco');
    assert.ok(total <= CUSTOMER + EPS, `customer: spent ${total} > ${CUSTOMER}`);
    assert.ok(total > CUSTOMER / 2, `the budget was actually used (${total})`);

    // No request row understates its children (which would let spend escape the checks above).
    const mismatched = await gw.query(
      `SELECT r.id, r.cost_usd,
              (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls l WHERE l.request_id = r.id) +
              (SELECT coalesce(sum(cost_usd), 0) FROM tool_calls t WHERE t.request_id = r.id) AS children
       FROM requests r WHERE r.customer_id = 'bigco' AND abs(r.cost_usd - children) > 1e-9`,
    );
    assert.deepEqual(mismatched, []);
    const [paid] = await gw.query<{ n: number }>(
      "SELECT count(*) AS n FROM tool_calls WHERE name = 'fix__add' AND status = 'ok' AND cost_usd = ?",
      TOOL_COST,
    );
    assert.ok(paid!.n > 0, 'the paid tool ran and was charged');

    // The admin usage API tells the same story: within limits, equal to the ledger.
    const usage = (await (await fetch(`${gw.url}/api/usage`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
      data: { level: string; id: string; limitUsd: number | null; spentUsd: number }[];
    };
    for (const u of usage.data) {
      if (u.limitUsd !== null) assert.ok(u.spentUsd <= u.limitUsd + EPS, `${u.level} ${u.id}: ${u.spentUsd} > ${u.limitUsd}`);
      const ledger =
        u.level === 'key'
          ? await sum('key_id = ?', u.id)
          : u.level === 'team'
            ? await sum('team_id = ?', u.id)
            : await sum('customer_id = ?', u.id);
      assert.ok(Math.abs(u.spentUsd - ledger) < 1e-6, `${u.level} ${u.id}: usage API ${u.spentUsd} vs ledger ${ledger}`);
    }
  });
});

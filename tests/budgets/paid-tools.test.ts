// Issue 14, item 6: a paid tool is charged whenever the call was sent — answered, failed, timed
// out or cancelled after sending — in the chat loop and at /mcp (both through src/chat/tool-call.ts).
// The fixture's `slow` tool sleeps past the server's callTimeoutMs, so the gateway gives up on
// calls the tool server did receive (and, for a paid API behind it, would bill).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { toolResultsOf } from '../helpers/wire.js';
import type { McpHttpServer } from '../fixtures/mcp-http-server.js';
import { connectStreamable, reasonOf } from '../../mcp/server/testing.js';
import { ADMIN, EPS, figure, ledgerSpend, settled } from './helpers.js';

const TOOL_COST = 0.01;
const BUDGET = 0.05;
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, fixture, gw, stop } = await startStack({
    adminToken: ADMIN,
    mcp: { as: 'fx', server: { callTimeoutMs: 150 } },
    config: {
      // The model is free here: only the paid tool spends.
      pricing: { 'openai/gpt-4o-mini': { inputPerMTok: 0, outputPerMTok: 0 } },
      toolCosts: { fx__slow: TOOL_COST },
      virtualKeys: ['loop', 'mcp-timeout', 'mcp-cancel'].map((id) => ({
        id,
        key: `vk-paid-${id}-secret`,
        models: ['*'],
        tools: { allow: ['fx__slow'] },
        budget: { usd: BUDGET, period: 'month' },
      })),
    },
  }));
});
after(() => stop?.());

const sentToSlow = () => fixture.calls.filter((c) => c === 'slow').length;

describe('paid tools are charged once sent', () => {
  test('chat loop: calls that time out after reaching the tool are charged; the budget stops them', { timeout: 60_000 }, async () => {
    fixture.calls.length = 0;
    mock.fallback = (body) =>
      toolResultsOf(body).length === 0
        ? { kind: 'tool_calls', calls: [{ name: 'fx__slow', arguments: { ms: 2000 } }] }
        : { kind: 'text', text: toolResultsOf(body)[0]!.content };
    const client = new OpenAI({ apiKey: 'vk-paid-loop-secret', baseURL: gw.baseURL, maxRetries: 0 });
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      // Once the budget is spent, the next request is refused outright (402).
      const answer = await client.chat.completions
        .create({ model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'go' }] })
        .then(
          (res) => res.choices[0]!.message.content ?? '',
          (err: { status: number }) => (err.status === 402 ? '402' : Promise.reject(err)),
        );
      answers.push(answer);
    }
    const u = await settled(gw.url, 'loop');
    const spent = await ledgerSpend(gw, 'loop');
    const toolServerWork = sentToSlow() * TOOL_COST;
    figure('paid tool timing out after it was sent (chat loop): calls sent × price', toolServerWork, BUDGET);
    assert.ok(toolServerWork <= BUDGET + EPS, `${sentToSlow()} paid calls reached the tool server on a budget for ${BUDGET / TOOL_COST}`);
    assert.ok(Math.abs(spent - toolServerWork) < EPS, `charged ${spent} for ${sentToSlow()} calls sent`);
    assert.ok(Math.abs(u.spentUsd - spent) < EPS);
    assert.ok(answers.some((a) => /tool_timeout/.test(a)));
    assert.ok(
      answers.some((a) => a === '402' || /budget_exceeded/.test(a)),
      'once the budget is spent the tool is refused, not run',
    );
    const rows = await gw.query<{ status: string; cost_usd: number }>(
      "SELECT status, cost_usd FROM tool_calls WHERE key_id = 'loop' AND status = 'timeout'",
    );
    assert.ok(rows.length > 0);
    for (const r of rows) assert.equal(r.cost_usd, TOOL_COST);
  });

  test('/mcp: a call that times out after sending is charged', async () => {
    fixture.calls.length = 0;
    const agent = await connectStreamable(gw.url, 'vk-paid-mcp-timeout-secret');
    try {
      const result = await agent.client.callTool({ name: 'fx__slow', arguments: { ms: 2000 } });
      assert.equal(reasonOf(result), 'tool_timeout');
    } finally {
      await agent.close();
    }
    const u = await settled(gw.url, 'mcp-timeout');
    figure('paid tool timing out at /mcp: charged', u.spentUsd, BUDGET);
    assert.equal(sentToSlow(), 1);
    assert.ok(Math.abs(u.spentUsd - TOOL_COST) < EPS);
    assert.ok(Math.abs((await ledgerSpend(gw, 'mcp-timeout')) - TOOL_COST) < EPS);
  });

  test('/mcp: a call the client cancels after sending is charged', async () => {
    fixture.calls.length = 0;
    const agent = await connectStreamable(gw.url, 'vk-paid-mcp-cancel-secret');
    const controller = new AbortController();
    try {
      const call = agent.client.callTool({ name: 'fx__slow', arguments: { ms: 2000 } }, undefined, { signal: controller.signal });
      // Cancel once the tool server has the call (well before callTimeoutMs).
      const until = Date.now() + 5000;
      while (sentToSlow() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      await assert.rejects(call);
    } finally {
      await agent.close();
    }
    const rows = async () =>
      gw.query<{ status: string; cost_usd: number }>("SELECT status, cost_usd FROM tool_calls WHERE key_id = 'mcp-cancel'");
    const until = Date.now() + 5000;
    while ((await rows()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    const [row] = await rows();
    const u = await settled(gw.url, 'mcp-cancel');
    figure('paid tool cancelled at /mcp after sending: charged', u.spentUsd, BUDGET);
    assert.equal(row!.cost_usd, TOOL_COST, `a ${row!.status} call that reached the tool is charged`);
    assert.ok(Math.abs(u.spentUsd - TOOL_COST) < EPS);
  });
});

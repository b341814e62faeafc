// Tools the upstream runs itself carry per-use fees (Anthropic's web search: $10 per 1,000). A
// budget holds them on /v1/messages pass-through: every round reserves max_uses × fee (the bound
// added when the client sent none, and sent upstream), and is charged the searches its usage
// reports (usage.server_tool_use), in JSON and streams; an unpriced server tool under a budget is
// refused; without a budget its uses are recorded as unknown cost. The model's tokens are free
// here (only fees spend), and the mock honours max_uses as the API does.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, assertChargedTheBill, EPS, figure, ledgerSpend } from './helpers.js';

const MODEL = 'anthropic/claude-sonnet-4-5';
const FEE = 0.01;
const BUDGET = 0.05;
const WANTED = 8;
const DEFAULT_MAX_USES = 2;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const keyOf = (id: string) => `vk-hosted-msg-${id}-secret`;
const webSearch = (maxUses?: number) => ({ type: 'web_search_20250305', name: 'web_search', ...(maxUses ? { max_uses: maxUses } : {}) });

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    providers: { maxRetries: 0 },
    config: {
      pricing: { [MODEL]: { inputPerMTok: 0, outputPerMTok: 0, maxOutputTokens: 100 } },
      hostedTools: { defaultMaxUses: DEFAULT_MAX_USES },
      virtualKeys: [
        ...['attack', 'bound', 'unpriced', 'drop'].map((id) => ({
          id,
          key: keyOf(id),
          models: ['*'],
          budget: { usd: BUDGET, period: 'month' },
        })),
        ...['fees', 'open'].map((id) => ({ id, key: keyOf(id), models: ['*'] })),
      ],
    },
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  // The model searches as much as it may: WANTED times, or the tool's max_uses.
  mock.fallback = (body) => {
    const max = body.tools?.find((t: { type?: string }) => t.type?.startsWith('web_search'))?.max_uses;
    return { kind: 'text', text: 'found it', webSearches: typeof max === 'number' ? Math.min(max, WANTED) : WANTED };
  };
});

const searchesMade = () => mock.requests.reduce((n, r) => n + Math.min(WANTED, r.body.tools?.[0]?.max_uses ?? WANTED), 0);
const client = (id: string) => new Anthropic({ apiKey: keyOf(id), baseURL: gw.url, maxRetries: 0 });
const ask = (id: string, tools: unknown[], stream = false) =>
  client(id).messages.create({
    model: MODEL,
    max_tokens: 50,
    stream,
    tools: tools as never,
    messages: [{ role: 'user', content: 'look it up' }],
  });
const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { status: number }) => e.status,
  );

describe('hosted tool fees on /v1/messages', () => {
  test('searches cannot spend past the budget: reserved at max_uses × fee, refused with 402 beyond', async () => {
    const outcomes: number[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await status(ask('attack', [webSearch(2)])));
    const billed = searchesMade() * FEE;
    figure('web searches (Anthropic server tool), 6 requests of up to 2 searches', billed, BUDGET);
    assert.deepEqual(outcomes, [200, 200, 402, 402, 402, 402]);
    await assertChargedTheBill(gw, 'attack', billed, BUDGET);
  });

  test('a server tool without max_uses goes upstream with the bound the budget reserved', async () => {
    assert.equal(await status(ask('bound', [webSearch(), { name: 'local', input_schema: { type: 'object' } }])), 200);
    const sent = mock.requests[0]!.body.tools;
    assert.equal(sent[0].max_uses, DEFAULT_MAX_USES);
    assert.equal(sent[1].max_uses, undefined, 'client tools are left as they are');
    const [row] = await gw.query<{ cost_usd: number }>("SELECT cost_usd FROM requests WHERE key_id = 'bound'");
    assert.ok(Math.abs(row!.cost_usd - DEFAULT_MAX_USES * FEE) < EPS);
  });

  test('the ledger charges the searches the usage reports, in JSON and in streams', async () => {
    await ask('fees', [webSearch(3)]);
    const stream = await ask('fees', [webSearch(4)], true);
    for await (const _ of stream as AsyncIterable<unknown>);
    const until = Date.now() + 5_000;
    let rows: { cost_usd: number; cost_unknown: number }[] = [];
    while (rows.length < 2 && Date.now() < until)
      rows = await gw.query("SELECT cost_usd, cost_unknown FROM requests WHERE key_id = 'fees' ORDER BY ts");
    assert.deepEqual(
      rows.map((r) => [Math.round(r.cost_usd * 1e6) / 1e6, r.cost_unknown]),
      [
        [0.03, 0],
        [0.04, 0],
      ],
    );
    const calls = await gw.query<{ cost_usd: number }>(
      "SELECT l.cost_usd FROM llm_calls l JOIN requests r ON r.id = l.request_id WHERE r.key_id = 'fees'",
    );
    assert.ok(Math.abs(calls.reduce((n, c) => n + c.cost_usd, 0) - 0.07) < EPS);
  });

  test('an unpriced server tool is refused under a budget (403 hosted_tool_unpriced); without one its use is flagged', async () => {
    const codeExecution = { type: 'code_execution_20250825', name: 'code_execution' };
    const err = await ask('unpriced', [codeExecution]).then(
      () => assert.fail('served'),
      (e: { status: number; error: { error: { type: string; code: string; param: string; message: string } } }) => e,
    );
    assert.equal(err.status, 403);
    assert.equal(err.error.error.code, 'hosted_tool_unpriced');
    assert.equal(err.error.error.param, 'tools');
    assert.match(err.error.error.message, /code_execution_20250825 has no price/);
    assert.match(err.error.error.message, /"hosted:messages\/code_execution"/);
    assert.equal(mock.requests.length, 0, 'nothing was sent upstream');
    assert.equal(await status(ask('open', [codeExecution])), 200);
    const [row] = await gw.query<{ cost_unknown: number }>("SELECT cost_unknown FROM requests WHERE key_id = 'open'");
    assert.equal(row!.cost_unknown, 1);
  });

  test('a stream the client drops mid-search is charged the searches it reserved', { timeout: 30_000 }, async () => {
    mock.fallback = () => ({ kind: 'text', text: 'a slow answer', webSearches: 2, frameDelayMs: 40 });
    const outcomes: (string | number)[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        const stream = await ask('drop', [webSearch(2)], true);
        for await (const event of stream as AsyncIterable<{ type: string }>) if (event.type === 'content_block_delta') break;
        outcomes.push('dropped');
      } catch (err) {
        outcomes.push((err as { status: number }).status);
      }
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await gw.query("SELECT id FROM requests WHERE key_id = 'drop'")).length < outcomes.length)
        await new Promise((r) => setTimeout(r, 25));
    }
    const spent = await ledgerSpend(gw, 'drop');
    const billed = mock.requests.length * 2 * FEE;
    figure('web searches in streams dropped by the client', billed, BUDGET);
    assert.deepEqual(outcomes, ['dropped', 'dropped', 402, 402]);
    assert.ok(Math.abs(spent - billed) < EPS, `charged $${spent} for $${billed} of searches the upstream may bill`);
  });

  test('a max_uses named twice goes upstream once, as reserved', async () => {
    const body = `{"model":"${MODEL}","max_tokens":50,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":100,"max_uses":1}]}`;
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': keyOf('bound'), 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(mock.requests[0]!.raw.match(/"max_uses":\d+/g), ['"max_uses":1']);
  });
});

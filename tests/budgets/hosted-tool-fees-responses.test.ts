// Built-in tools of the Responses API carry per-call fees (web_search: $10 per 1,000). A budget
// holds them on /v1/responses pass-through: every round reserves max_tool_calls × the dearest fee
// offered (max_tool_calls added when the client sent none, and sent upstream), and is charged the
// web_search_call items the response holds, in JSON and streams (response.completed's output).
// (Every built-in type has a price in the table; the unpriced path is the Messages test's.) Tokens
// are free here (only fees spend), and the mock honours max_tool_calls as the API does.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, assertChargedTheBill, EPS, figure } from './helpers.js';

const MODEL = 'native/gpt-5';
const FEE = 0.01;
const BUDGET = 0.05;
const WANTED = 8;
const DEFAULT_MAX_USES = 2;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const keyOf = (id: string) => `vk-hosted-resp-${id}-secret`;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: ({ mock }) => ({
      providers: {
        native: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-hosted' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
      },
      pricing: { 'gpt-5': { inputPerMTok: 0, outputPerMTok: 0, maxOutputTokens: 100 }, 'hosted:responses/web_search': { perUseUsd: FEE } },
      hostedTools: { defaultMaxUses: DEFAULT_MAX_USES },
      virtualKeys: [
        ...['attack', 'bound'].map((id) => ({ id, key: keyOf(id), models: ['*'], budget: { usd: BUDGET, period: 'month' } })),
        { id: 'fees', key: keyOf('fees'), models: ['*'] },
      ],
    }),
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  mock.fallback = (body) => ({
    kind: 'text',
    text: 'found it',
    webSearches: typeof body.max_tool_calls === 'number' ? Math.min(body.max_tool_calls, WANTED) : WANTED,
  });
});

const searchesMade = () => mock.requests.reduce((n, r) => n + Math.min(WANTED, r.body.max_tool_calls ?? WANTED), 0);
const client = (id: string) => new OpenAI({ apiKey: keyOf(id), baseURL: `${gw.url}/v1`, maxRetries: 0 });
const ask = (id: string, extra: Record<string, unknown>, stream = false) =>
  client(id).responses.create({ model: MODEL, input: 'look it up', max_output_tokens: 50, stream, ...extra } as never);
const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { status: number }) => e.status,
  );

describe('hosted tool fees on /v1/responses', () => {
  test('searches cannot spend past the budget: reserved at max_tool_calls × fee, refused with 402 beyond', async () => {
    const outcomes: number[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await status(ask('attack', { tools: [{ type: 'web_search' }], max_tool_calls: 2 })));
    const billed = searchesMade() * FEE;
    figure('web searches (Responses built-in tool), 6 requests of up to 2 calls', billed, BUDGET);
    assert.deepEqual(outcomes, [200, 200, 402, 402, 402, 402]);
    await assertChargedTheBill(gw, 'attack', billed, BUDGET);
  });

  test('a request without max_tool_calls goes upstream with the bound the budget reserved', async () => {
    assert.equal(await status(ask('bound', { tools: [{ type: 'web_search' }] })), 200);
    assert.equal(mock.requests[0]!.body.max_tool_calls, DEFAULT_MAX_USES);
    const [row] = await gw.query<{ cost_usd: number }>("SELECT cost_usd FROM requests WHERE key_id = 'bound'");
    assert.ok(Math.abs(row!.cost_usd - DEFAULT_MAX_USES * FEE) < EPS);
  });

  test('the ledger charges the web_search_call items, in JSON and in streams', async () => {
    await ask('fees', { tools: [{ type: 'web_search' }], max_tool_calls: 3 });
    const stream = await ask('fees', { tools: [{ type: 'web_search' }], max_tool_calls: 4 }, true);
    for await (const _ of stream as unknown as AsyncIterable<unknown>);
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
  });

  test('a max_tool_calls named twice goes upstream once, as reserved', async () => {
    const body = `{"model":"${MODEL}","input":"x","max_output_tokens":50,"max_tool_calls":100,"tools":[{"type":"web_search"}],"max_tool_calls":1}`;
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyOf('bound')}`, 'content-type': 'application/json' },
      body,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(mock.requests[0]!.raw.match(/"max_tool_calls":\d+/g), ['"max_tool_calls":1']);
  });
});

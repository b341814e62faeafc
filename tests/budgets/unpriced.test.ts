// Issue 14, item 5: a budget cannot hold a model without a price. A key, team or customer with a
// budget is refused such a model (403 model_unpriced, naming the model and how to price it); a key
// without any budget may still use it (cost NULL, flagged); the operator may opt in with a stated
// charge per call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN, EPS, figure, ledgerSpend, settled } from './helpers.js';

const BUDGET = 0.01;
let mock: MockUpstream;
let gw: TestGateway;
let optIn: TestGateway;

const config = (extra: Record<string, unknown> = {}) => ({
  providers: mockProviders(mock),
  teams: [{ id: 'capped', budget: { usd: 1, period: 'month' } }],
  virtualKeys: [
    { id: 'budgeted', key: 'vk-unpriced-budget-01', models: ['*'], budget: { usd: BUDGET, period: 'month' } },
    { id: 'in-team', key: 'vk-unpriced-team-0001', team: 'capped', models: ['*'] },
    { id: 'open', key: 'vk-unpriced-open-0001', models: ['*'] },
  ],
  ...extra,
});

before(async () => {
  mock = await startMockUpstream();
  mock.fallback = () => ({ kind: 'text', text: 'ok', usage: { input: 1000, output: 1000 } });
  gw = await startGateway({ adminToken: ADMIN, config: config() });
  optIn = await startGateway({ adminToken: ADMIN, config: config({ unpricedModels: { chargePerCallUsd: 0.004 } }) });
});
after(async () => {
  await gw.close();
  await optIn.close();
  await mock.close();
});

const call = (g: TestGateway, key: string, model = 'openai/mystery-model') =>
  new OpenAI({ apiKey: key, baseURL: g.baseURL, maxRetries: 0 }).chat.completions
    .create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => 200,
      (e: InstanceType<typeof OpenAI.APIError>) => e,
    );

describe('models without a price', () => {
  test('a budgeted key (or a key in a budgeted team) is refused, with how to price the model', async () => {
    mock.reset();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => call(gw, 'vk-unpriced-budget-01')));
    const served = outcomes.filter((o) => o === 200).length;
    figure(
      `unpriced model on a budgeted key: ${served} of 20 calls served (their cost unknown)`,
      await ledgerSpend(gw, 'budgeted'),
      BUDGET,
    );
    assert.equal(served, 0);
    const err = outcomes[0] as InstanceType<typeof OpenAI.APIError>;
    assert.equal(err.status, 403);
    assert.equal((err.error as any).type, 'model_blocked');
    assert.equal((err.error as any).code, 'model_unpriced');
    assert.match(err.message, /openai\/mystery-model has no price/);
    assert.match(err.message, /"pricing"/);
    assert.match(err.message, /unpricedModels/);
    const team = await call(gw, 'vk-unpriced-team-0001');
    assert.equal((team as InstanceType<typeof OpenAI.APIError>).status, 403);
    assert.equal(mock.requests.length, 0, 'nothing was sent upstream');
  });

  // o3-deep-research is billed 5x o3 ($10/$40), gpt-4o-audio-preview's audio 8x gpt-4o's text, the
  // search models a fee per call: a family's price borrowed by such a variant let a budget be billed
  // past it at the family's rates.
  test('a variant billed otherwise (deep research, audio, search) does not borrow its family price', async () => {
    mock.reset();
    for (const model of ['openai/o3-deep-research', 'openai/gpt-4o-audio-preview', 'openai/gpt-4o-mini-search-preview']) {
      const err = (await call(gw, 'vk-unpriced-budget-01', model)) as InstanceType<typeof OpenAI.APIError>;
      assert.equal(err.status, 403, model);
      assert.equal((err.error as any).code, 'model_unpriced', model);
    }
    assert.equal(mock.requests.length, 0, 'nothing was sent upstream');
  });

  test('a key with no budget anywhere may use it; the cost is NULL and flagged, never 0', async () => {
    assert.equal(await call(gw, 'vk-unpriced-open-0001'), 200);
    const [row] = await gw.query<{ cost_usd: number | null; cost_unknown: number }>(
      "SELECT cost_usd, cost_unknown FROM requests WHERE key_id = 'open'",
    );
    assert.deepEqual(row, { cost_usd: null, cost_unknown: 1 });
  });

  test('opt-in: unpriced calls are charged the stated amount per call, as estimates, within the budget', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => call(optIn, 'vk-unpriced-budget-01')));
    const u = await settled(optIn.url, 'budgeted');
    const spent = await ledgerSpend(optIn, 'budgeted');
    figure('unpriced model, opt-in at $0.004 a call', spent, BUDGET);
    assert.equal(outcomes.filter((o) => o === 200).length, 2, '$0.01 holds two calls at $0.004');
    assert.ok(spent <= BUDGET + EPS);
    assert.ok(Math.abs(u.spentUsd - spent) < EPS);
    const rows = await optIn.query<{ cost_usd: number; cost_basis: string; cost_unknown: number }>(
      "SELECT cost_usd, cost_basis, cost_unknown FROM llm_calls WHERE model = 'mystery-model'",
    );
    for (const r of rows) assert.deepEqual(r, { cost_usd: 0.004, cost_basis: 'estimate', cost_unknown: 1 });
  });
});

// The budget rule against a client-chosen price: OpenAI bills `service_tier: "priority"` at about
// twice the standard rates the price table holds, so a budgeted key sending it would be charged
// half its bill. Under a budget the tier is refused like a model without a price (403
// model_unpriced, param service_tier) before anything is sent, on chat and on Responses (native and
// translated); the standard and cheaper tiers, and keys without a budget, pass as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, budgetedAndFree, postJson } from './helpers.js';

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: ({ mock }) => {
      const provider = { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-tier' }], maxRetries: 0 };
      return {
        providers: {
          chat: { ...provider, models: ['gpt-5'] },
          native: { ...provider, models: ['gpt-5'], apis: ['chat', 'responses'] },
        },
        pricing: { 'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, maxOutputTokens: 300 } },
        virtualKeys: budgetedAndFree('tier', 5),
      };
    },
  }));
});
after(() => stop?.());

const post = (key: string, path: string, body: object) => postJson(gw, path, key, body);

const requests = (tier: string) =>
  [
    ['/v1/chat/completions', { model: 'chat/gpt-5', service_tier: tier, messages: [{ role: 'user', content: 'hi' }] }],
    ['/v1/responses', { model: 'native/gpt-5', service_tier: tier, input: 'hi' }],
    ['/v1/responses', { model: 'chat/gpt-5', service_tier: tier, input: 'hi' }],
  ] as const;

test('under a budget, service_tier priority is refused before anything is sent', async () => {
  const sent = mock.requests.length;
  for (const [path, body] of requests('priority')) {
    const r = await post('vk-tier-budgeted', path, body);
    assert.equal(r.status, 403, `${path} ${body.model}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'model_unpriced');
    assert.equal(r.body.error.param, 'service_tier');
  }
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
});

test('the standard and cheaper tiers under a budget, and priority without one, pass', async () => {
  for (const tier of ['auto', 'default', 'flex'])
    for (const [path, body] of requests(tier)) assert.equal((await post('vk-tier-budgeted', path, body)).status, 200, `${tier} ${path}`);
  for (const [path, body] of requests('priority')) assert.equal((await post('vk-tier-free', path, body)).status, 200, path);
});

// The budget rule against Chat Completions Predicted Outputs (`prediction`): OpenAI bills the
// prediction's tokens the answer does not use (`rejected_prediction_tokens`) as completion tokens, on
// top of what the model generates under its cap, so a small cap with a long prediction is billed far
// past the cap reserved. The prediction's bytes (a token covers at least one) are reserved as output
// beside the cap. The mock bills as OpenAI does: the answer up to the cap, plus every predicted
// token rejected. Before: $0.20 billed on a $0.10 budget for a call reserved at $0.002.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { MockUpstream } from '../mock-upstream/server.js';
import { outputCapOf, promptTokensOf } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, ledgerSpend, postJson, settled } from './helpers.js';

const ANSWER = 100_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: {
      pricing: { 'openai/gpt-4o': { inputPerMTok: 1, outputPerMTok: 20 } },
      virtualKeys: [
        { id: 'dime', key: 'vk-pred-dime-00001', models: ['*'], budget: { usd: 0.1, period: 'month' } },
        { id: 'roomy', key: 'vk-pred-roomy-0001', models: ['*'], budget: { usd: 5, period: 'month' } },
        { id: 'tokens', key: 'vk-pred-tokens-001', models: ['*'], rateLimit: { requests: 100, tokens: 20_000, window: '1m' } },
      ],
    },
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  mock.fallback = (body, path) => {
    const cap = outputCapOf(body, path);
    const generated = cap === undefined ? ANSWER : Math.min(cap, ANSWER);
    const p = body?.prediction?.content;
    const rejected = p === undefined ? 0 : countTokens(typeof p === 'string' ? p : p.map((part: any) => part.text).join(''));
    return { kind: 'text', text: 'ok', usage: { input: promptTokensOf(body), output: generated + rejected }, finish: 'length' };
  };
});

// ~10,000 cl100k tokens in 50,000 bytes, all rejected by the answer.
const PREDICTION = 'word '.repeat(10_000);
const body = (prediction: unknown) => ({
  model: 'openai/gpt-4o',
  max_completion_tokens: 100,
  prediction,
  messages: [{ role: 'user', content: 'Rewrite this file.' }],
});

test('a long prediction with a small cap: its rejected tokens are reserved, the budget holds', async () => {
  // A short prediction fits the budget and is answered.
  const short = await postJson(gw, '/v1/chat/completions', 'vk-pred-dime-00001', body({ type: 'content', content: 'word '.repeat(200) }));
  assert.equal(short.status, 200, JSON.stringify(short.body));
  for (const prediction of [
    { type: 'content', content: PREDICTION },
    { type: 'content', content: [{ type: 'text', text: PREDICTION }] },
  ]) {
    const r = await postJson(gw, '/v1/chat/completions', 'vk-pred-dime-00001', body(prediction));
    assert.ok(r.status === 200 || r.status === 402, JSON.stringify(r.body));
  }
  await settled(gw.url, 'dime');
  const spent = await ledgerSpend(gw, 'dime');
  figure('prediction of ~10,000 rejected tokens under max_completion_tokens 100', spent, 0.1);
  assert.ok(spent <= 0.1 + EPS, `spent ${spent} of $0.10`);
});

test('under a roomy budget it is answered and charged its bill, within what was reserved', async () => {
  const r = await postJson(gw, '/v1/chat/completions', 'vk-pred-roomy-0001', body({ type: 'content', content: PREDICTION }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const billed = (r.body.usage.prompt_tokens * 1 + r.body.usage.completion_tokens * 20) / 1_000_000;
  assert.ok(r.body.usage.completion_tokens > 100, 'billed past the cap');
  await settled(gw.url, 'roomy');
  assert.ok(Math.abs((await ledgerSpend(gw, 'roomy')) - billed) < EPS);
});

test("the prediction's tokens count toward the key's token limit before the call", async () => {
  // Three at once against 20,000 tokens: each call's reservation holds its 50,000 bytes of
  // prediction, so the first admitted fills the window and the others are refused before they are
  // sent. Reserved at the cap alone (~130 tokens), all three went, 30,000 tokens counted.
  // Answers held back so that the three are in flight together whatever the machine's load.
  const answer = mock.fallback;
  mock.fallback = (b, path) => ({ ...answer(b, path), delayMs: 500 }) as ReturnType<typeof answer>;
  const results = await Promise.all(
    [1, 2, 3].map(() => postJson(gw, '/v1/chat/completions', 'vk-pred-tokens-001', body({ type: 'content', content: PREDICTION }))),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 429, 429], JSON.stringify(statuses));
  assert.equal(mock.requests.length, 1);
});

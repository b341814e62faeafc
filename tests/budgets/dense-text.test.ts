// Issue 14, item 2: the prompt bound holds for dense text. 100 concurrent requests of Japanese
// (3 UTF-8 bytes a character, ~1.1 cl100k tokens a character: the old "characters ÷ 3" estimate
// reserved a third of what they cost) against one budget, on one gateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { tokenizedAnswers } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, ledgerSpend, settled } from './helpers.js';
import { DENSE_BUDGET, DENSE_PRICE, JAPANESE, denseRequests } from './dense.js';

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: {
      pricing: { 'openai/gpt-4o-mini': DENSE_PRICE },
      virtualKeys: [{ id: 'dense', key: 'vk-dense-text-0001', models: ['*'], budget: { usd: DENSE_BUDGET, period: 'month' } }],
    },
  }));
  mock.fallback = tokenizedAnswers({ answerTokens: 20 });
});
after(() => stop?.());

describe('dense text', () => {
  test('100 concurrent Japanese prompts on one gateway: spend stays within the budget', { timeout: 60_000 }, async () => {
    const statuses = await Promise.all(denseRequests(gw.url, 'vk-dense-text-0001'));
    const u = await settled(gw.url, 'dense');
    const spent = await ledgerSpend(gw, 'dense');
    figure('100 concurrent Japanese prompts, one replica', spent, DENSE_BUDGET);
    assert.ok(spent <= DENSE_BUDGET + EPS, `spent ${spent} of ${DENSE_BUDGET}`);
    assert.ok(Math.abs(u.spentUsd - spent) < 1e-9, 'the counters and the ledger agree');
    assert.ok(statuses.includes(200), 'some fit');
    assert.ok(
      statuses.every((s) => s === 200 || s === 402),
      statuses.join(','),
    );
    // The usage the upstream reported is what was charged: real token counts, above chars ÷ 3.
    const [row] = await gw.query<{ p: number }>('SELECT max(prompt_tokens) AS p FROM llm_calls WHERE status = 200');
    assert.ok(row!.p > JAPANESE.length / 3, `a Japanese prompt is ${row!.p} tokens`);
  });
});

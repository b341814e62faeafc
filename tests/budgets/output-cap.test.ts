// Issue 14, item 1: one effective output cap per upstream call, the value reserved is the value
// sent. The mock upstream generates as many tokens as the answer wants, up to the cap it is sent.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import { tokenizedAnswers } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, ledgerSpend, settled } from './helpers.js';

const ANSWER = 100_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: gw.baseURL, maxRetries: 0 });

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: {
      // No maxOutputTokens here: the bundled table's limits apply (gpt-4o-mini 16,384; claude-sonnet-4-5 64,000).
      pricing: {
        'openai/gpt-4o-mini': { inputPerMTok: 1, outputPerMTok: 20 },
        'anthropic/claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 10 },
        'openai/house-model': { inputPerMTok: 1, outputPerMTok: 20 },
      },
      virtualKeys: [
        { id: 'cent', key: 'vk-cap-cent-000001', models: ['*'], budget: { usd: 0.01, period: 'month' } },
        { id: 'dollar', key: 'vk-cap-dollar-0001', models: ['*'], budget: { usd: 1, period: 'month' } },
        { id: 'roomy', key: 'vk-cap-roomy-00001', models: ['*'], budget: { usd: 100, period: 'month' } },
        { id: 'free', key: 'vk-cap-free-000001', models: ['*'] },
      ],
    },
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  mock.fallback = tokenizedAnswers({ answerTokens: ANSWER });
});

const hello = [{ role: 'user' as const, content: 'Write me a very long story.' }];

describe('one output cap per upstream call', () => {
  test('conflicting max_tokens / max_completion_tokens: 400 naming the field, nothing sent upstream', async () => {
    const err = await sdk('vk-cap-cent-000001')
      .chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 100_000, max_completion_tokens: 1, messages: hello })
      .then(
        () => undefined,
        (e: InstanceType<typeof OpenAI.APIError>) => e,
      );
    const spent = await ledgerSpend(gw, 'cent');
    figure('conflicting max_tokens/max_completion_tokens (anthropic)', spent, 0.01);
    assert.ok(spent <= 0.01 + EPS, `spent ${spent} of $0.01`);
    assert.ok(err, 'expected a 400');
    assert.equal(err.status, 400);
    assert.equal((err.error as any).type, 'invalid_request_error');
    assert.equal((err.error as any).param, 'max_tokens');
    assert.equal((err.error as any).code, 'conflicting_max_tokens');
    assert.equal(mock.requests.length, 0);
    // The same values agreeing are fine.
    const ok = await sdk('vk-cap-roomy-00001').chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 7,
      max_completion_tokens: 7,
      messages: hello,
    });
    assert.equal(ok.usage?.completion_tokens, 7);
    assert.equal(mock.requests[0]!.body.max_tokens, 7);
  });

  test('no cap from the client on an OpenAI-compatible provider: the reserved cap is sent, spend stays in budget', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => sdk('vk-cap-dollar-0001').chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hello })),
    );
    const u = await settled(gw.url, 'dollar');
    const spent = await ledgerSpend(gw, 'dollar');
    figure('five concurrent long answers without max_tokens (openai-compatible)', spent, 1);
    assert.ok(spent <= 1 + EPS, `spent ${spent} of $1`);
    assert.ok(Math.abs(u.spentUsd - spent) < 1e-6, 'the counters and the ledger agree');
    const served = results.filter((r) => r.status === 'fulfilled');
    assert.ok(served.length >= 1, 'some answers fit');
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { status: number }).status, 402);
    // Every call that went out carried the cap it reserved for: the model's maximum output.
    for (const sent of mock.requests) assert.equal(sent.body.max_completion_tokens, 16_384);
  });

  test('an Anthropic model without a client cap gets max_tokens = its maximum output under a budget', async () => {
    await sdk('vk-cap-roomy-00001').chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: hello });
    assert.equal(mock.requests[0]!.body.max_tokens, 64_000);
  });

  test('a model the price table has no maximum for: the provider defaultMaxTokens is sent and reserved', async () => {
    await sdk('vk-cap-roomy-00001').chat.completions.create({ model: 'openai/house-model', messages: hello });
    assert.equal(mock.requests[0]!.body.max_completion_tokens, 4096);
  });

  test('requests under no budget are not capped by the gateway', async () => {
    const res = await sdk('vk-cap-free-000001').chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hello });
    const body = mock.requests[0]!.body;
    assert.equal(body.max_tokens, undefined);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(res.usage?.completion_tokens, ANSWER);
  });

  test("the client's own cap is what is sent and reserved", async () => {
    await sdk('vk-cap-roomy-00001').chat.completions.create({ model: 'openai/gpt-4o-mini', max_tokens: 123, messages: hello });
    assert.equal(mock.requests[0]!.body.max_tokens, 123);
    assert.equal(mock.requests[0]!.body.max_completion_tokens, undefined);
  });
});

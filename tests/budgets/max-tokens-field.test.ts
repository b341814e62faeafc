// The budget rule on a provider whose server knows only `max_tokens` (`maxTokensField: "max_tokens"`):
// a cap in `max_completion_tokens` is one such a server never reads, so it answers at its own
// length while the gateway reserved (and the key was told it would pay for) the client's cap. The
// cap goes in the field the provider reads — the client's own `max_completion_tokens` on chat, and
// the `max_output_tokens` of a Responses request translated to chat — so the cap reserved is the cap
// the upstream obeys. Before: $2 billed on a $1 budget for a call reserved at $0.002.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { promptTokensOf } from '../mock-upstream/tokenizer.js';
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
    config: ({ mock }) => ({
      providers: {
        compat: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-compat' }],
          maxTokensField: 'max_tokens',
          maxRetries: 0,
        },
      },
      pricing: { 'compat/house': { inputPerMTok: 1, outputPerMTok: 20 } },
      virtualKeys: [
        { id: 'chat', key: 'vk-mtf-chat-000001', models: ['*'], budget: { usd: 1, period: 'month' } },
        { id: 'resp', key: 'vk-mtf-resp-000001', models: ['*'], budget: { usd: 1, period: 'month' } },
      ],
    }),
  }));
});
after(() => stop?.());
beforeEach(() => {
  mock.reset();
  // A server that knows only max_tokens: it answers at its full length unless that field caps it.
  mock.fallback = (body) => {
    const cap = typeof body?.max_tokens === 'number' ? body.max_tokens : undefined;
    const output = cap === undefined ? ANSWER : Math.min(cap, ANSWER);
    return { kind: 'text', text: 'ok', usage: { input: promptTokensOf(body), output }, finish: output < ANSWER ? 'length' : 'stop' };
  };
});

const BILL_UNCAPPED = (ANSWER * 20) / 1_000_000;

test("chat: the client's max_completion_tokens reaches a max_tokens-only server as max_tokens", async () => {
  const r = await postJson(gw, '/v1/chat/completions', 'vk-mtf-chat-000001', {
    model: 'compat/house',
    max_completion_tokens: 100,
    messages: [{ role: 'user', content: 'Write me a very long story.' }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await settled(gw.url, 'chat');
  const spent = await ledgerSpend(gw, 'chat');
  figure(`chat max_completion_tokens to a max_tokens-only server (uncapped bill $${BILL_UNCAPPED})`, spent, 1);
  assert.ok(spent <= 1 + EPS, `spent ${spent} of $1`);
  assert.equal(r.body.usage.completion_tokens, 100);
  const sent = mock.requests[0]!.body;
  assert.equal(sent.max_tokens, 100);
  assert.equal(sent.max_completion_tokens, undefined);
});

test('responses translated to chat: max_output_tokens reaches a max_tokens-only server as max_tokens', async () => {
  const r = await postJson(gw, '/v1/responses', 'vk-mtf-resp-000001', {
    model: 'compat/house',
    max_output_tokens: 100,
    input: 'Write me a very long story.',
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await settled(gw.url, 'resp');
  const spent = await ledgerSpend(gw, 'resp');
  figure(`responses max_output_tokens to a max_tokens-only server (uncapped bill $${BILL_UNCAPPED})`, spent, 1);
  assert.ok(spent <= 1 + EPS, `spent ${spent} of $1`);
  const sent = mock.requests[0]!.body;
  assert.equal(sent.max_tokens, 100);
  assert.equal(sent.max_completion_tokens, undefined);
});

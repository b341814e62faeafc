// The budget rule against Anthropic's 1-hour prompt cache: a block marked `cache_control: {type:
// "ephemeral", ttl: "1h"}` is written to the cache at twice the input rate, where the table's cache
// write rate (cacheWritePerMTok) is the 5-minute one, 1.25×. The gateway reserved and charged every
// cache write at that rate (usage's cache_creation split was not read), so a key that marked its
// prompts for an hour was billed 1.6× what it was charged and passed its budget. Now the 1-hour
// writes (usage.cache_creation.ephemeral_1h_input_tokens) are charged at their own rate
// (cacheWrite1hPerMTok: twice the input rate in the bundled table) and reserved at it: spent equals
// the bill, and the bill stays within the budget, on the Messages pass-through (JSON and stream) and
// on chat over an Anthropic upstream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, settled } from './helpers.js';

const BUDGET = 1;
const VK = 'vk-cache1h-budgeted';
/** The bundled price of claude-sonnet-4-5: $3 / $15 a million tokens, 1-hour cache writes $6. */
const INPUT_1H = 6;
const OUTPUT = 15;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: ({ mock }) => ({
      providers: passThroughProviders(mock, 'cache1h', { maxRetries: 0 }),
      virtualKeys: [{ id: 'budgeted', key: VK, models: ['*'], budget: { usd: BUDGET, period: 'month' } }],
    }),
  }));
  // Every prompt byte written to the cache for an hour (a token a byte: the input bound's worst case).
  mock.fallback = (body) => {
    const written = JSON.stringify(body.messages).length;
    return { kind: 'text', text: 'ok', usage: { input: 0, cacheWrite: written, cacheWrite1h: written, output: 16 } };
  };
});
after(() => stop?.());

/** What Anthropic bills the calls that reached it. */
function billed(): number {
  let usd = 0;
  for (const r of mock.requests) usd += (JSON.stringify(r.body.messages).length * INPUT_1H + 16 * OUTPUT) / 1e6;
  return usd;
}

const cached = (chars: number) => [{ type: 'text', text: 'x'.repeat(chars), cache_control: { type: 'ephemeral', ttl: '1h' } }];

const post = (path: string, body: object) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${VK}` },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

const messages = (chars: number, stream: boolean) =>
  post('/v1/messages', { model: 'ant/claude-sonnet-4-5', max_tokens: 16, stream, messages: [{ role: 'user', content: cached(chars) }] });
const chat = (chars: number, stream: boolean) =>
  post('/v1/chat/completions', {
    model: 'ant/claude-sonnet-4-5',
    max_tokens: 16,
    stream,
    messages: [{ role: 'user', content: cached(chars) }],
  });

test('1-hour cache writes are charged and reserved at their rate: spent is the bill, within the budget', async () => {
  // About $0.12 each at the 1-hour rate ($0.075 at the 5-minute one).
  const answered = [await messages(20_000, false), await messages(20_000, true), await chat(20_000, false), await chat(20_000, true)];
  assert.deepEqual(
    answered.map((a) => a.status),
    [200, 200, 200, 200],
  );
  const usage = await settled(gw.url, 'budgeted');
  assert.ok(Math.abs(usage.spentUsd - billed()) < 1e-6, `charged $${usage.spentUsd.toFixed(6)} for a bill of $${billed().toFixed(6)}`);
  // $0.52 left: a prompt that bills $0.54 no longer fits (at the 5-minute rate it seemed to: $0.34).
  const over = await messages(90_000, false);
  figure('prompts cached for an hour', billed(), BUDGET);
  assert.ok(billed() <= BUDGET + EPS, `billed $${billed().toFixed(4)} on a $${BUDGET} budget`);
  assert.equal(over.status, 402, over.text);
});

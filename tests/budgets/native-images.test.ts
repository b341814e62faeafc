// The budget rule against images on /v1/responses pass-through: an `input_image` by URL is a few
// dozen bytes of the body, but the upstream bills it as an image (gpt-4o: up to 1,445 tokens at high
// detail; gpt-4o-mini: 48,170). The pass-through bounded its input by the body's bytes alone, so an
// image was reserved at its URL's length; each round now also reserves the model's maxImageTokens
// for every input_image it sends (in a message or in a function_call_output), as chat and
// Messages do. Here an image is billed 1,500 tokens ($0.015 at PRICE) and reserved 3,800.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { EPS, figure, ledgerSpend, settled, startPassThrough } from './helpers.js';

const BUDGET = 0.1;
const IMAGE_TOKENS = 1_500;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('nimg', [
    { id: 'images', key: 'vk-nimg-images', models: ['*'], budget: { usd: BUDGET, period: 'month' } },
    { id: 'screens', key: 'vk-nimg-screens', models: ['*'], budget: { usd: BUDGET, period: 'month' } },
  ]));
  mock.fallback = (body) => {
    const images = JSON.stringify(body.input).match(/"type":"(input_image|computer_screenshot)"/g)?.length ?? 0;
    return { kind: 'text', text: 'a cat', usage: { input: 10 + images * IMAGE_TOKENS, output: 16 } };
  };
});
after(() => stop?.());

const image = (n: number) => ({ type: 'input_image', image_url: `https://img.example.com/${n}.png`, detail: 'high' });
const body = {
  model: 'oai/gpt-5',
  max_output_tokens: 16,
  input: [
    { type: 'function_call', call_id: 'c1', name: 'look', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c1', output: [image(1)] },
    { role: 'user', content: [{ type: 'input_text', text: 'what is it?' }, image(2)] },
  ],
};

test('images by URL cannot spend past the budget: each reserved at the model image bound', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer vk-nimg-images' },
      body: JSON.stringify(body),
    });
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'images');
  figure('Responses pass-through, 6 requests of 2 images by URL', spent, BUDGET);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
  // Two images reserve 2 × 3,800 tokens beside the body's bytes ($0.076+): one request fits at a time.
  assert.deepEqual(statuses, [200, 402, 402, 402, 402, 402]);
  assert.equal(mock.requests.length, 1);
  assert.ok(Math.abs((await settled(gw.url, 'images')).spentUsd - spent) < EPS);
});

test('computer-use screenshots by URL are images too: reserved at the model image bound', async () => {
  const screenshot = (n: number) => ({ type: 'computer_screenshot', image_url: `https://img.example.com/s${n}.png` });
  const screens = {
    model: 'oai/gpt-5',
    max_output_tokens: 16,
    input: [1, 2].flatMap((n) => [
      { type: 'computer_call', call_id: `cu${n}`, action: { type: 'screenshot' }, pending_safety_checks: [], status: 'completed' },
      { type: 'computer_call_output', call_id: `cu${n}`, output: screenshot(n) },
    ]),
  };
  const sent = mock.requests.length;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer vk-nimg-screens' },
      body: JSON.stringify(screens),
    });
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'screens');
  figure('Responses pass-through, 6 requests of 2 computer screenshots by URL', spent, BUDGET);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
  assert.deepEqual(statuses, [200, 402, 402, 402, 402, 402]);
  assert.equal(mock.requests.length - sent, 1);
});

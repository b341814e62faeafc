// The budget rule against an audio model's audio tokens: OpenAI bills them apart from text, at rates
// 4–16× the text ones (gpt-4o-audio-preview: text $2.50 / $10 a million, audio $40 / $80), and
// reports them inside prompt_tokens and completion_tokens (`…_tokens_details.audio_tokens`). A price
// had only text rates, so a spoken answer was charged at the text output rate: a key was billed
// about 7× what it was charged and passed its budget. Now `pricing` takes `audioInputPerMTok` and
// `audioOutputPerMTok`: audio tokens are charged at them and reserved at the dearer rate (an answer
// may be all audio), so spent is the bill and the bill stays within the budget, JSON and streamed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, settled } from './helpers.js';

const BUDGET = 1;
const VK = 'vk-audio-tokens-budgeted';
const MODEL = 'oai/gpt-4o-audio-preview';
const PRICE = { inputPerMTok: 2.5, outputPerMTok: 10, audioInputPerMTok: 40, audioOutputPerMTok: 80, maxOutputTokens: 2000 };
/** Each answer: 100 text tokens in, 1000 out of which 900 spoken. */
const USAGE = { input: 100, output: 1000, audioInput: 0, audioOutput: 900 };
const BILL = (100 * 2.5 + 100 * 10 + 900 * 80) / 1e6;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
let n = 0;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: ({ mock }) => {
      const { oai } = passThroughProviders(mock, 'audiotok', { maxRetries: 0, models: ['gpt-4o-audio-preview'] });
      return {
        providers: { oai },
        pricing: { [MODEL]: PRICE },
        virtualKeys: [{ id: 'budgeted', key: VK, models: ['*'], budget: { usd: BUDGET, period: 'month' } }],
      };
    },
  }));
  mock.fallback = () => ({ kind: 'text', text: 'spoken', audio: `audio_tok_${++n}`, usage: USAGE });
});
after(() => stop?.());

const chat = (stream: boolean) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${VK}` },
    body: JSON.stringify({
      model: MODEL,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: stream ? 'pcm16' : 'wav' },
      messages: [{ role: 'user', content: 'say something' }],
    }),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

test('audio tokens are charged and reserved at the audio rates: spent is the bill, within the budget', async () => {
  const first = [await chat(false), await chat(true)];
  assert.deepEqual(
    first.map((a) => a.status),
    [200, 200],
    first.map((a) => a.text.slice(0, 200)).join('\n'),
  );
  const billed = () => mock.requests.length * BILL;
  let usage = await settled(gw.url, 'budgeted');
  assert.ok(Math.abs(usage.spentUsd - billed()) < 1e-6, `charged $${usage.spentUsd.toFixed(6)} for a bill of $${billed().toFixed(6)}`);
  // Spend the rest: each call reserves its 2000-token cap at $80 a million, so the last one fits.
  const statuses: number[] = [];
  for (let i = 0; i < 30 && statuses.at(-1) !== 402; i++) statuses.push((await chat(i % 2 === 1)).status);
  assert.equal(statuses.at(-1), 402, `refused once the budget cannot hold another spoken answer: ${statuses.join(',')}`);
  usage = await settled(gw.url, 'budgeted');
  figure('spoken answers at the audio rates', billed(), BUDGET);
  assert.ok(Math.abs(usage.spentUsd - billed()) < 1e-6, `charged $${usage.spentUsd.toFixed(6)} for a bill of $${billed().toFixed(6)}`);
  assert.ok(billed() <= BUDGET + EPS, `billed $${billed().toFixed(4)} on a $${BUDGET} budget`);
});

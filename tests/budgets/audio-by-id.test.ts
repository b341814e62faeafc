// A spoken Chat Completions answer named by its id. OpenAI keeps an audio answer (about an hour) and
// reads it back when a later request's assistant message names it (`audio: {"id": "audio_…"}`): the
// upstream feeds the stored audio to the model and bills it as audio input tokens (gpt-4o-audio-preview:
// $40 a million), while the request holds only the id, a few dozen bytes. A budgeted key naming its
// own spoken answer many times in one request was billed far past its budget ($1.8 on a $1 budget,
// in one call reserved at a few cents). The gateway records each audio id it shows with its size
// (the round's audio output tokens, else its output cap); a request naming it adds that to the input
// bound, priced at the dearest input rate (the audio one). So the attack's round is refused 402
// before it is sent, the owner's ordinary follow-up naming one id goes, and an id shown without a
// recorded size (an earlier version's) is refused 400 stored_input_under_budget under a budget.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, postJson, settled } from './helpers.js';

const BUDGET = 1;
const BUDGETED = 'vk-audio-by-id-budgeted';
const FREE = 'vk-audio-by-id-free';
const MODEL = 'oai/gpt-4o-audio-preview';
const PRICE = { inputPerMTok: 2.5, outputPerMTok: 10, audioInputPerMTok: 40, audioOutputPerMTok: 80, maxOutputTokens: 2000 };
/** The spoken answer: 1000 tokens out, 900 of them audio. */
const SPOKEN = { input: 10, output: 1000, audioInput: 0, audioOutput: 900 };
/** How many times the follow-up names it. */
const TIMES = 50;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: ({ mock }) => {
      const { oai } = passThroughProviders(mock, 'audioid', { maxRetries: 0, models: ['gpt-4o-audio-preview'] });
      return {
        providers: { oai },
        pricing: { [MODEL]: PRICE },
        virtualKeys: [
          { id: 'budgeted', key: BUDGETED, models: ['*'], budget: { usd: BUDGET, period: 'month' } },
          { id: 'free', key: FREE, models: ['*'] },
        ],
      };
    },
  }));
});
after(() => stop?.());
beforeEach(() => mock.reset());

/** The key's spoken answer: its audio id, shown to it (so its own to name). */
async function spokenAnswer(key: string, id: string): Promise<void> {
  mock.enqueue({ kind: 'text', text: 'spoken', audio: id, usage: SPOKEN });
  const res = await postJson(gw, '/v1/chat/completions', key, {
    model: MODEL,
    modalities: ['text', 'audio'],
    audio: { voice: 'alloy', format: 'wav' },
    messages: [{ role: 'user', content: 'say something' }],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.choices[0].message.audio.id, id);
}

/** A follow-up naming the spoken answer TIMES times; the upstream reads it back each time, billed as audio input. */
function replay(id: string) {
  const messages: unknown[] = [];
  for (let i = 0; i < TIMES; i++) messages.push({ role: 'user', content: 'again' }, { role: 'assistant', audio: { id } });
  messages.push({ role: 'user', content: 'and once more' });
  mock.enqueue({ kind: 'text', text: 'ok', usage: { input: 200 + TIMES * 900, output: 10, audioInput: TIMES * 900, audioOutput: 0 } });
  return { model: MODEL, max_completion_tokens: 10, messages };
}

test('under a budget, a spoken answer named 50 times by its audio id is refused 402 before it is sent, with its row', async () => {
  await spokenAnswer(BUDGETED, 'audio_by_id_budgeted');
  const sent = mock.requests.length;
  const res = await postJson(gw, '/v1/chat/completions', BUDGETED, replay('audio_by_id_budgeted'));
  const usage = await settled(gw.url, 'budgeted');
  figure('a spoken answer read back by id 50 times', usage.spentUsd, BUDGET);
  assert.equal(res.status, 402, JSON.stringify(res.body));
  assert.equal(res.body.error.type, 'budget_exceeded');
  assert.equal(mock.requests.length, sent, 'nothing sent upstream');
  assert.ok(usage.spentUsd <= BUDGET + EPS, `spent $${usage.spentUsd.toFixed(4)} on a $${BUDGET} budget`);
  await gw.quiet(50);
  const [row] = await gw.query<{ status: number }>("SELECT status FROM requests WHERE key_id = 'budgeted' ORDER BY ts DESC LIMIT 1");
  assert.equal(row?.status, 402);
});

/** The owner's next turn: its spoken answer named once by id, as OpenAI documents for a spoken conversation. */
function followUp(id: string) {
  mock.enqueue({ kind: 'text', text: 'ok', usage: { input: 920, output: 10, audioInput: 900, audioOutput: 0 } });
  return {
    model: MODEL,
    max_completion_tokens: 10,
    messages: [
      { role: 'user', content: 'say something' },
      { role: 'assistant', audio: { id } },
      { role: 'user', content: 'and now?' },
    ],
  };
}

test("under a budget, the owner's follow-up naming its spoken answer once goes upstream", async () => {
  await spokenAnswer(BUDGETED, 'audio_by_id_once');
  const res = await postJson(gw, '/v1/chat/completions', BUDGETED, followUp('audio_by_id_once'));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const last = mock.requests.at(-1)!.body as { messages: { audio?: { id: string } }[] };
  assert.equal(last.messages[1]?.audio?.id, 'audio_by_id_once');
});

test("a streamed spoken answer is recorded with its round's output cap: named once, it goes under a budget", async () => {
  mock.enqueue({ kind: 'text', text: 'spoken', audio: 'audio_by_id_streamed', usage: SPOKEN });
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BUDGETED}` },
    body: JSON.stringify({
      model: MODEL,
      stream: true,
      max_completion_tokens: 1500,
      modalities: ['text', 'audio'],
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /audio_by_id_streamed/);
  const shown = await gw.gateway.store.responses.ownsShown('audio', 'audio_by_id_streamed', 'budgeted');
  assert.deepEqual(shown, { tokens: 1500 });
  const next = await postJson(gw, '/v1/chat/completions', BUDGETED, followUp('audio_by_id_streamed'));
  assert.equal(next.status, 200, JSON.stringify(next.body));
});

test('under a budget, an audio id shown without a recorded size is refused, nothing sent, with its row', async () => {
  // Shown by an earlier version: the id is the key's, its size unknown.
  await gw.gateway.store.responses.showIds('audio', ['audio_by_id_unsized'], 'budgeted');
  const sent = mock.requests.length;
  const res = await postJson(gw, '/v1/chat/completions', BUDGETED, followUp('audio_by_id_unsized'));
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'stored_input_under_budget');
  assert.equal(res.body.error.param, 'messages[1].audio');
  assert.equal(mock.requests.length, sent, 'nothing sent upstream');
  await gw.quiet(50);
  const [row] = await gw.query<{ status: number; error_type: string | null }>(
    "SELECT status, error_type FROM requests WHERE key_id = 'budgeted' ORDER BY ts DESC LIMIT 1",
  );
  assert.deepEqual({ ...row }, { status: 400, error_type: 'stored_input_under_budget' });
});

test('without a budget, the owner naming its spoken answer goes upstream as sent', async () => {
  await spokenAnswer(FREE, 'audio_by_id_free');
  const res = await postJson(gw, '/v1/chat/completions', FREE, replay('audio_by_id_free'));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const last = mock.requests.at(-1)!.body as { messages: { audio?: { id: string } }[] };
  assert.equal(last.messages[1]?.audio?.id, 'audio_by_id_free');
});

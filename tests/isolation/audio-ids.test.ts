// Every key's requests run under the provider's one account, and OpenAI keeps a spoken Chat
// Completions answer (about an hour) that a later request's assistant message reads back by its
// `audio: {id}`. A key that learns another key's audio id (a shared log, a pasted transcript) must
// not have that answer read back to it ("repeat what you said"). A key may name only audio ids an
// answer relayed to it carried (JSON, or streamed in its audio deltas): any other is a 400 with
// nothing sent, JSON or streamed; the owner's own goes upstream. Recorded in the database, so a
// restart keeps it.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { audioDeltas } from '../mock-upstream/openai-wire.js';
import { passThroughProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../budgets/helpers.js';

const OWNER = 'vk-audio-owner';
const OTHER = 'vk-audio-other';
const MODEL = 'oai/gpt-5';
let mock: MockUpstream;
let gw: TestGateway;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-audio-'));
const dbUrl = process.env.TOLLGATE_TEST_DB_URL ?? join(dir, 'tollgate.db');

const config = () => {
  const { oai } = passThroughProviders(mock, 'au', { maxRetries: 0 });
  return {
    providers: { oai },
    virtualKeys: [
      { id: 'owner', key: OWNER, models: ['*'] },
      { id: 'other', key: OTHER, models: ['*'] },
    ],
  };
};

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({ config: config(), dbUrl });
});
after(async () => {
  await gw?.close();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => mock.reset());

/** A follow-up that asks the upstream to read back the spoken answer named by `id`. */
const replay = (id: unknown, stream = false) => ({
  model: MODEL,
  stream,
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', audio: { id } },
    { role: 'user', content: 'repeat what you said, word for word' },
  ],
});

/** The owner is answered with audio (JSON); the answer shows the audio id. */
async function ownersAudio(id: string): Promise<void> {
  mock.enqueue({ kind: 'text', text: 'the secret is 42', audio: id });
  const res = await postJson(gw, '/v1/chat/completions', OWNER, {
    model: MODEL,
    modalities: ['text', 'audio'],
    audio: { voice: 'alloy', format: 'wav' },
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.choices[0].message.audio.id, id, 'the answer shows the audio id');
  mock.reset();
}

/** Another key naming `id` is refused (JSON and streamed), nothing sent. */
async function refusedToOther(id: string): Promise<void> {
  for (const stream of [false, true]) {
    const stolen = await postJson(gw, '/v1/chat/completions', OTHER, replay(id, stream));
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.type, 'invalid_request_error');
    assert.equal(stolen.body.error.param, 'messages[1].audio');
    assert.equal(stolen.body.error.message, `Audio with id '${id}' not found.`);
  }
  assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
}

/** The owner's follow-ups naming `id` (JSON and streamed) go upstream with it. */
async function sentForOwner(id: string): Promise<void> {
  for (const stream of [false, true]) {
    mock.enqueue({ kind: 'text', text: 'the secret is 42' });
    const own = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OWNER}` },
      body: JSON.stringify(replay(id, stream)),
    });
    const text = await own.text();
    assert.equal(own.status, 200, text);
  }
  assert.equal(mock.requests.length, 2);
  for (const req of mock.requests)
    assert.deepEqual((req.body as { messages: { audio?: unknown }[] }).messages[1]!.audio, { id }, 'the owner’s audio id goes upstream');
}

test('another key cannot have a spoken answer it was not shown read back (JSON and streamed); the owner can', async () => {
  const id = 'audio_owner_secret';
  await ownersAudio(id);
  await refusedToOther(id);
  // An id nobody was shown (the owner's own request too), and one that is not a string.
  const madeUp = await postJson(gw, '/v1/chat/completions', OWNER, replay('audio_nobody'));
  assert.equal(madeUp.status, 400, JSON.stringify(madeUp.body));
  const notString = await postJson(gw, '/v1/chat/completions', OWNER, replay({ id }));
  assert.equal(notString.status, 400, JSON.stringify(notString.body));
  assert.equal(mock.requests.length, 0, 'nothing reached the upstream');
  await sentForOwner(id);
});

test('a streamed spoken answer reaches its key as the upstream sent it, and is held to that key', async () => {
  const id = 'audio_streamed_secret';
  const said = 'the secret is 42';
  mock.enqueue({ kind: 'text', text: said, audio: id });
  const client = new OpenAI({ apiKey: OWNER, baseURL: gw.baseURL, maxRetries: 0 });
  const stream = client.chat.completions.stream({
    model: MODEL,
    modalities: ['text', 'audio'],
    audio: { voice: 'alloy', format: 'pcm16' },
    messages: [{ role: 'user', content: 'hi' }],
  });
  const pieces: unknown[] = [];
  for await (const chunk of stream) {
    const audio = (chunk.choices[0]?.delta as { audio?: unknown } | undefined)?.audio;
    if (audio) pieces.push(audio);
  }
  const spoken = { id, expires_at: 1_700_003_600, data: 'UklGRg==', transcript: said };
  assert.deepEqual(pieces, audioDeltas(spoken), 'every audio delta, as the upstream sent it');
  assert.deepEqual((await stream.finalChatCompletion()).choices[0]!.message.audio, spoken, 'the SDK puts the answer together');
  mock.reset();
  await refusedToOther(id);
  await sentForOwner(id);
});

test('a restart keeps who was shown an audio id', async () => {
  const id = 'audio_before_restart';
  await ownersAudio(id);
  await gw.close();
  gw = await startGateway({ config: config(), dbUrl });
  const stolen = await postJson(gw, '/v1/chat/completions', OTHER, replay(id));
  assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
  assert.equal(mock.requests.length, 0);
  mock.enqueue({ kind: 'text', text: 'again' });
  const own = await postJson(gw, '/v1/chat/completions', OWNER, replay(id));
  assert.equal(own.status, 200, JSON.stringify(own.body));
});

test('a stream that showed an audio id ends only once the id is recorded', async () => {
  const id = 'audio_recorded_first';
  const store = gw.gateway.store.responses;
  const write = store.showIds;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  store.showIds = async (kind, ids, keyId, tokens) => {
    await held;
    return write.call(store, kind, ids, keyId, tokens);
  };
  try {
    mock.enqueue({ kind: 'text', text: 'the secret is 42', audio: id });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OWNER}` },
      body: JSON.stringify({ model: MODEL, stream: true, modalities: ['text', 'audio'], messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('"expires_at"')) text += (await reader.read()).value ?? '';
    // The write is held: the stream shows the id but does not end (a wrong order would end it at once).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pending = reader.read();
    const early = await Promise.race([pending.then(() => true), new Promise((resolve) => setTimeout(resolve, 50, false))]);
    assert.equal(early, false, 'nothing more before the id is recorded');
    release();
    text += (await pending).value ?? '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    assert.ok(text.endsWith('data: [DONE]\n\n'), text.slice(-200));
  } finally {
    store.showIds = write;
    release();
  }
  mock.reset();
  await sentForOwner(id);
});

// Spoken Chat Completions answers. A recorded stream's audio deltas reach the client as the upstream
// sent them. After gateway tool rounds: the gateway ran the model's MCP calls
// and builds the answer itself (JSON: the body; streamed: the closing chunks), and the final round's
// `message.audio` (streamed: its `delta.audio` pieces) reaches the client, as the official SDK reads
// it, and is recorded as the key's: its own follow-up naming the id goes upstream, another key's is
// refused (tests/isolation/audio-ids.test.ts holds the rest of that guarantee).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { passThroughProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { postJson } from './budgets/helpers.js';
import { readFileSync } from 'node:fs';

const OWNER = 'vk-audio-rounds-owner';
const OTHER = 'vk-audio-rounds-other';
const MODEL = 'oai/gpt-5';
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  const { oai } = passThroughProviders(mock, 'aur', { maxRetries: 0 });
  gw = await startGateway({
    config: {
      providers: { oai },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      virtualKeys: [
        { id: 'owner', key: OWNER, models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'other', key: OTHER, models: ['*'], tools: { allow: ['fix__*'] } },
      ],
    },
  });
  client = new OpenAI({ apiKey: OWNER, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw?.close();
  await fixture?.close();
  await mock?.close();
});
beforeEach(() => mock.reset());

const ask = {
  model: MODEL,
  modalities: ['text' as const, 'audio' as const],
  audio: { voice: 'alloy' as const, format: 'pcm16' as const },
  messages: [{ role: 'user' as const, content: 'what is 2 + 3? say it' }],
};

/** A follow-up naming the spoken answer `id` (the upstream reads it back). */
const replay = (id: string) => ({
  model: MODEL,
  messages: [
    { role: 'user', content: 'what is 2 + 3? say it' },
    { role: 'assistant', audio: { id } },
    { role: 'user', content: 'say it again' },
  ],
});

for (const stream of [false, true]) {
  test(`the final round's spoken answer reaches the client after tool rounds, held to its key (${stream ? 'streamed' : 'JSON'})`, async () => {
    const id = `audio_after_tools_${stream ? 'stream' : 'json'}`;
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__add', arguments: { a: 2, b: 3 } }] });
    mock.enqueue({ kind: 'text', text: 'two plus three is five', audio: id, usage: { input: 30, output: 50, audioOutput: 44 } });
    let answer: OpenAI.Chat.ChatCompletion;
    if (stream) {
      const s = client.chat.completions.stream({ ...ask, stream_options: { include_usage: true } });
      for await (const _ of s);
      answer = await s.finalChatCompletion();
    } else {
      answer = await client.chat.completions.create(ask);
      assert.equal((answer as unknown as { tollgate: { rounds: number } }).tollgate.rounds, 2, 'the gateway built this answer');
    }
    assert.equal(mock.requests.length, 2);
    assert.equal(toolResultsOf(mock.requests[1]!.body)[0]?.content, '5', 'the tool ran between the rounds');
    assert.deepEqual(answer.choices[0]!.message.audio, {
      id,
      data: 'UklGRg==',
      expires_at: 1_700_003_600,
      transcript: 'two plus three is five',
    });
    // The usage summed over both rounds keeps the spoken share (the first round spoke none).
    assert.equal(answer.usage!.completion_tokens, 5 + 50);
    assert.equal(answer.usage!.completion_tokens_details?.audio_tokens, 44);

    mock.reset();
    const stolen = await postJson(gw, '/v1/chat/completions', OTHER, replay(id));
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.message, `Audio with id '${id}' not found.`);
    assert.equal(mock.requests.length, 0, 'nothing sent for another key');
    mock.enqueue({ kind: 'text', text: 'five' });
    const own = await postJson(gw, '/v1/chat/completions', OWNER, replay(id));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.deepEqual(mock.requests[0]!.body.messages[1].audio, { id }, 'the owner’s follow-up goes upstream');
  });
}

test('a recorded audio stream reaches the client with every audio delta as the upstream sent it', async () => {
  const events = JSON.parse(readFileSync(new URL('../providers/openai/fixtures/stream-audio.json', import.meta.url), 'utf8')) as string[];
  const body = events.map((e) => `data: ${e}\n\n`).join('');
  mock.enqueue({ kind: 'raw', status: 200, body, contentType: 'text/event-stream' });
  const s = client.chat.completions.stream({ ...ask, stream_options: { include_usage: true } });
  const got: unknown[] = [];
  for await (const chunk of s) {
    const audio = (chunk.choices[0]?.delta as { audio?: unknown } | undefined)?.audio;
    if (audio) got.push(audio);
  }
  const sent = events.flatMap((e) => (e === '[DONE]' ? [] : [JSON.parse(e).choices[0]?.delta?.audio].filter(Boolean)));
  assert.equal(sent.length, 5);
  assert.deepEqual(got, sent);
  const answer = await s.finalChatCompletion();
  assert.equal(answer.choices[0]!.message.audio!.transcript, 'Hello there!');
  assert.equal(answer.choices[0]!.message.audio!.data, 'AAAAAP//AAABAP7/AgD9/wMA/P8EAPv/');
  assert.equal(answer.usage!.completion_tokens, 48);
  assert.equal(answer.usage!.completion_tokens_details?.audio_tokens, 41, 'the usage chunk keeps the audio tokens');
});

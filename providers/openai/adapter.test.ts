// The OpenAI-compatible adapter against recorded wire fixtures (fixtures/): requests keep what the
// client sent, answers and streams come back canonical, errors map to the gateway's table.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GatewayError } from '../../src/errors.js';
import type { ChatCompletionChunk, ChatRequest } from '../../src/openai/types.js';
import { TurnAccumulator } from '../../src/chat/accumulate.js';
import { openaiAdapter } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ctx = {
  baseUrl: 'https://api.example.com/v1',
  apiKey: 'sk-test',
  model: 'gpt-4o-mini',
  defaultMaxTokens: 4096,
  headers: { 'openai-organization': 'org-1' },
};

function replay(name: string): { chunks: ChatCompletionChunk[]; error?: unknown } {
  const events = JSON.parse(fixture(name)) as string[];
  const translator = openaiAdapter.streamTranslator(ctx);
  const chunks: ChatCompletionChunk[] = [];
  try {
    for (const data of events) chunks.push(...translator.push({ data }));
    chunks.push(...translator.end());
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

describe('openai adapter: requests', () => {
  test('the client body goes through with only the model swapped; gateway fields never leave', () => {
    const req: ChatRequest = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 7,
      response_format: { type: 'json_object' },
      fallbacks: ['anthropic/x'],
    };
    const up = openaiAdapter.chatRequest(req, ctx);
    assert.equal(up.url, 'https://api.example.com/v1/chat/completions');
    assert.equal(up.headers.authorization, 'Bearer sk-test');
    assert.equal(up.headers['openai-organization'], 'org-1');
    const body = JSON.parse(up.body!);
    assert.deepEqual(body, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 7,
      response_format: { type: 'json_object' },
    });
  });

  test("a baseUrl with a query (Azure's api-version): chat and pass-through paths go before it, the call's query after it", () => {
    const azure = { ...ctx, baseUrl: 'https://r.openai.azure.com/openai/v1?api-version=preview' };
    const chat = openaiAdapter.chatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, azure);
    assert.equal(chat.url, 'https://r.openai.azure.com/openai/v1/chat/completions?api-version=preview');
    const native = (path: string) => openaiAdapter.nativeRequest!({ format: 'responses', path, body: '{}', headers: {} }, azure).url;
    assert.equal(native('/v1/responses'), 'https://r.openai.azure.com/openai/v1/responses?api-version=preview');
    assert.equal(
      native('/v1/responses/resp_1/input_items?limit=2'),
      'https://r.openai.azure.com/openai/v1/responses/resp_1/input_items?api-version=preview&limit=2',
    );
  });

  test('streams always ask for usage (the ledger needs it), keeping other stream options', () => {
    const up = openaiAdapter.chatRequest(
      { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: false } },
      ctx,
    );
    assert.deepEqual(JSON.parse(up.body!).stream_options, { include_usage: true });
  });

  test('no key → no authorization header (local servers)', () => {
    const up = openaiAdapter.chatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { ...ctx, apiKey: undefined });
    assert.equal(up.headers.authorization, undefined);
  });
});

describe('openai adapter: answers', () => {
  test('a text completion is returned as recorded', () => {
    const completion = openaiAdapter.chatResponse(JSON.parse(fixture('completion-text.json')), ctx);
    assert.equal(completion.choices[0]!.message.content, 'Hello! How can I assist you today?');
    assert.equal(completion.usage!.total_tokens, 29);
    assert.equal(openaiAdapter.canonicalResponses, true);
  });

  test('parallel tool calls keep their ids and arguments', () => {
    const completion = openaiAdapter.chatResponse(JSON.parse(fixture('completion-parallel-tool-calls.json')), ctx);
    const calls = completion.choices[0]!.message.tool_calls!;
    assert.deepEqual(
      calls.map((c) => [c.id, JSON.parse(c.function.arguments).location]),
      [
        ['call_DdmO9pD3xa9XTPNJ32zg2hcA', 'Paris, France'],
        ['call_ABCDm2nYzNbC9q6T8x5cXaJb', 'Bogotá, Colombia'],
      ],
    );
    assert.equal(completion.usage!.prompt_tokens_details!.cached_tokens, 64);
  });

  test('a body without choices is a 502, not a crash later', () => {
    assert.throws(
      () => openaiAdapter.chatResponse({ object: 'list' }, ctx),
      (e: unknown) => e instanceof GatewayError && e.status === 502,
    );
  });
});

describe('openai adapter: streams', () => {
  test('text stream reassembles, with the usage chunk last', () => {
    const { chunks, error } = replay('stream-text.json');
    assert.equal(error, undefined);
    const acc = new TurnAccumulator();
    for (const c of chunks) acc.add(c);
    const turn = acc.turn();
    assert.equal(turn.content, 'Hello there!');
    assert.equal(turn.finishReason, 'stop');
    assert.equal(turn.usage!.total_tokens, 12);
  });

  test('a spoken answer: its delta.audio pieces come through as sent, the usage with its audio tokens', () => {
    // The documented shape (no typed SDK field: openai-openapi issue #577), not a live capture.
    const events = JSON.parse(fixture('stream-audio.json')) as string[];
    const { chunks, error } = replay('stream-audio.json');
    assert.equal(error, undefined);
    const sent = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e).choices[0]?.delta?.audio);
    assert.deepEqual(
      chunks.map((c) => c.choices[0]?.delta.audio),
      sent,
    );
    assert.equal(chunks.at(-1)!.usage!.completion_tokens, 48);
  });

  test('parallel tool calls reassemble from argument fragments', () => {
    const { chunks } = replay('stream-parallel-tool-calls.json');
    const acc = new TurnAccumulator();
    for (const c of chunks) acc.add(c);
    const turn = acc.turn();
    assert.deepEqual(
      turn.toolCalls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments).location]),
      [
        ['call_aa', 'get_weather', 'Paris'],
        ['call_bb', 'get_weather', 'Oslo'],
      ],
    );
    assert.equal(turn.finishReason, 'tool_calls');
  });

  test('an in-stream error frame becomes an upstream_error', () => {
    const { chunks, error } = replay('stream-error.json');
    assert.equal(chunks.length, 1);
    assert.ok(error instanceof GatewayError);
    assert.equal(error.type, 'upstream_error');
    assert.match(error.message, /server had an error/);
  });

  test('the stream has ended at [DONE], not at the finish_reason: the usage chunk comes between them', () => {
    const translator = openaiAdapter.streamTranslator(ctx);
    const chunk = (extra: object) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', ...extra });
    translator.push({ data: chunk({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] }) });
    assert.equal(translator.ended(), false);
    translator.push({ data: chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }) });
    assert.equal(translator.ended(), false);
    translator.push({ data: '[DONE]' });
    assert.equal(translator.ended(), true);
    assert.deepEqual(translator.end(), []);
  });

  test('a stream cut before any finish is reported, not taken as complete', () => {
    const translator = openaiAdapter.streamTranslator(ctx);
    const events = JSON.parse(fixture('stream-text.json')) as string[];
    for (const data of events.slice(0, 2)) translator.push({ data });
    assert.throws(
      () => translator.end(),
      (e: unknown) => e instanceof GatewayError && e.code === 'upstream_stream_truncated',
    );
  });
});

describe('openai adapter: errors', () => {
  test('400 context length → 400 invalid_request_error with the upstream message, not retried', () => {
    const err = openaiAdapter.errorFromResponse(400, fixture('error-400.json'), {});
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, /maximum context length/);
    assert.equal(err.retryable, false);
  });

  test('429 → retryable, Retry-After honoured; after the last attempt the client sees 503', () => {
    const err = openaiAdapter.errorFromResponse(429, fixture('error-429.json'), { 'retry-after': '2' });
    assert.equal(err.status, 503);
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfter, 2);
  });

  test('401 from the upstream is our credential problem: 502, not retried', () => {
    const err = openaiAdapter.errorFromResponse(401, '{"error":{"message":"Incorrect API key provided"}}', {});
    assert.equal(err.status, 502);
    assert.equal(err.code, 'upstream_auth_failed');
    assert.equal(err.retryable, false);
  });
});

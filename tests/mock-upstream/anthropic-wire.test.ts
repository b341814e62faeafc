import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../src/errors.js';
import { anthropicAdapter } from '../../providers/anthropic/index.js';
import { reassemble } from '../../src/wire/messages/test-helpers.js';
import type { SseEvent } from '../../providers/types.js';
import { anthropicErrorBody, renderAnthropic, splitPieces } from './anthropic-wire.js';
import type { MockReply } from './types.js';

const ctx = { baseUrl: 'http://127.0.0.1:1', model: 'claude-test', defaultMaxTokens: 100 };
const request = { model: 'claude-test', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 };

/** Each frame is one complete SSE frame: `event: x\ndata: {...}\n\n`. */
function parseFrame(frame: string): SseEvent {
  const match = /^event: ([a-z_]+)\ndata: (.*)\n\n$/s.exec(frame);
  assert.ok(match, `malformed frame ${JSON.stringify(frame)}`);
  return { event: match[1] ?? '', data: match[2] ?? '' };
}

function frames(reply: MockReply): string[] {
  const rendered = renderAnthropic(reply, request, true);
  assert.ok('frames' in rendered);
  return rendered.frames;
}

function streamed(reply: MockReply) {
  const t = anthropicAdapter.streamTranslator(ctx);
  return reassemble([
    ...frames(reply)
      .map(parseFrame)
      .flatMap((e) => t.push(e)),
    ...t.end(),
  ]);
}

function nonStreamed(reply: MockReply) {
  const rendered = renderAnthropic(reply, request, false);
  assert.ok('json' in rendered);
  return anthropicAdapter.chatResponse(rendered.json, ctx);
}

const toolReply: MockReply = {
  kind: 'tool_calls',
  text: 'Let me look.',
  calls: [
    { name: 'docs__search', arguments: { query: 'tollgate pricing', limit: 3 } },
    { id: 'toolu_given', name: 'now', arguments: '{}' },
  ],
  usage: { input: 40, output: 12, cacheRead: 30, cacheWrite: 5 },
};

describe('renderAnthropic', () => {
  test('text: non-stream message and stream reassemble to the same answer', () => {
    const reply: MockReply = { kind: 'text', text: 'The quick brown fox jumps over the lazy dog.' };
    const json = nonStreamed(reply);
    const s = streamed(reply);
    assert.equal(json.model, 'claude-test');
    assert.equal(json.choices[0]?.message.content, reply.text);
    assert.equal(s.content, reply.text);
    assert.equal(s.finishReason, 'stop');
    assert.deepEqual(json.usage, s.usage);
    assert.equal(json.usage?.prompt_tokens, 10);
    assert.equal(json.usage?.completion_tokens, 5);
  });

  test('stream frames come in the real order with split deltas', () => {
    const types = frames({ kind: 'text', text: 'abcdefghi' }).map((f) => parseFrame(f).event);
    assert.deepEqual(types, [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  test('finish length → max_tokens', () => {
    assert.equal(streamed({ kind: 'text', text: 'cut', finish: 'length' }).finishReason, 'length');
    assert.equal(nonStreamed({ kind: 'text', text: 'cut', finish: 'length' }).choices[0]?.finish_reason, 'length');
  });

  test('tool calls: ids default to toolu_mock_<n>, input JSON split over deltas, usage with cache', () => {
    const json = nonStreamed(toolReply);
    const s = streamed(toolReply);
    const expected = [
      { id: 'toolu_mock_0', type: 'function', function: { name: 'docs__search', arguments: '{"query":"tollgate pricing","limit":3}' } },
      { id: 'toolu_given', type: 'function', function: { name: 'now', arguments: '{}' } },
    ];
    assert.deepEqual(json.choices[0]?.message.tool_calls, expected);
    assert.deepEqual(s.toolCalls, expected);
    assert.equal(s.content, 'Let me look.');
    assert.equal(s.finishReason, 'tool_calls');
    assert.deepEqual(s.usage, json.usage);
    assert.deepEqual(json.usage?.prompt_tokens_details, { cached_tokens: 30, cache_creation_tokens: 5 });
    assert.equal(json.usage?.prompt_tokens, 75);
    const jsonDeltas = frames(toolReply)
      .map(parseFrame)
      .filter((e) => e.data.includes('input_json_delta'));
    assert.ok(jsonDeltas.length >= 6, 'tool input is streamed in several pieces');
  });

  test('stream-error: text, then an error event the adapter turns into a GatewayError', () => {
    const reply: MockReply = { kind: 'stream-error', text: 'partial answer', errorType: 'overloaded_error', message: 'Overloaded' };
    const events = frames(reply).map(parseFrame);
    assert.equal(events[events.length - 1]?.event, 'error');
    const t = anthropicAdapter.streamTranslator(ctx);
    const before = events.slice(0, -1).flatMap((e) => t.push(e));
    assert.equal(reassemble(before).content, 'partial answer');
    assert.throws(
      () => t.push(events[events.length - 1]!),
      (e: unknown) => e instanceof GatewayError && e.status === 503 && /Overloaded/.test(e.message),
    );
    assert.throws(() => renderAnthropic(reply, request, false));
  });

  test('other reply kinds are not rendered here', () => {
    assert.throws(() => renderAnthropic({ kind: 'hang' }, request, true), /hang/);
  });

  test('splitPieces covers the text exactly', () => {
    assert.deepEqual(splitPieces('abcdefg', 3), ['abc', 'def', 'g']);
    assert.deepEqual(splitPieces('', 3), []);
  });
});

describe('anthropicErrorBody', () => {
  test('error type follows the status, message round-trips through the adapter', () => {
    const typeOf = (status: number) => JSON.parse(anthropicErrorBody(status, 'm')).error.type;
    assert.equal(typeOf(400), 'invalid_request_error');
    assert.equal(typeOf(401), 'authentication_error');
    assert.equal(typeOf(429), 'rate_limit_error');
    assert.equal(typeOf(500), 'api_error');
    assert.equal(typeOf(503), 'api_error');
    assert.equal(typeOf(529), 'overloaded_error');
    const body = JSON.parse(anthropicErrorBody(529, 'Overloaded'));
    assert.equal(body.type, 'error');
    assert.match(anthropicAdapter.errorFromResponse(529, anthropicErrorBody(529, 'Overloaded'), {}).message, /529: Overloaded/);
  });
});

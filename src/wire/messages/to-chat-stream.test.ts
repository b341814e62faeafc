import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors.js';
import type { SseEvent } from '../../../providers/types.js';
import { chunksFromMessagesStream } from './to-chat-stream.js';
import { reassemble, replay, sseEvents } from './test-helpers.js';

const translator = () => chunksFromMessagesStream();
const ev = (data: Record<string, unknown>): SseEvent => ({ event: String(data.type), data: JSON.stringify(data) });

describe('messages → chat stream', () => {
  test('text stream reassembles to the message, finish and usage', () => {
    const chunks = replay(
      chunksFromMessagesStream(() => 1_700_000_000_500),
      sseEvents('stream-text.json'),
    );
    const out = reassemble(chunks);
    assert.deepEqual([...out.ids], ['msg_01StReAmTeXt9zQ4yVb2LmN8']);
    assert.deepEqual([...out.models], ['claude-sonnet-4-20250514']);
    assert.ok(chunks.every((c) => c.created === 1_700_000_000 && c.object === 'chat.completion.chunk'));
    assert.equal(out.role, 'assistant');
    assert.equal(out.content, 'Hello! How can I help you today?');
    assert.equal(out.finishReason, 'stop');
    assert.deepEqual(out.usage, {
      prompt_tokens: 25 + 1024 + 50,
      completion_tokens: 15,
      total_tokens: 25 + 1024 + 50 + 15,
      prompt_tokens_details: { cached_tokens: 1024, cache_creation_tokens: 50 },
    });
  });

  test('chunk shape follows OpenAI: role first, finish chunk, then a choices-less usage chunk', () => {
    const chunks = replay(translator(), sseEvents('stream-text.json'));
    assert.deepEqual(chunks[0]?.choices, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    const last = chunks[chunks.length - 1];
    const beforeLast = chunks[chunks.length - 2];
    assert.deepEqual(last?.choices, []);
    assert.ok(last?.usage);
    assert.deepEqual(beforeLast?.choices, [{ index: 0, delta: {}, finish_reason: 'stop' }]);
    // ping, content_block_start (text) and content_block_stop produce nothing: 1 role + 4 text + finish + usage.
    assert.equal(chunks.length, 7);
    // Usage rides on the first chunk (message_start's input tokens: what a cut-short stream is
    // charged at least) and on the last; nothing in between.
    assert.equal(chunks[0]?.usage?.prompt_tokens, chunks[chunks.length - 1]?.usage?.prompt_tokens);
    assert.ok(chunks[0]!.usage!.prompt_tokens > 0);
    assert.ok(chunks.slice(1, -1).every((c) => c.usage === undefined));
  });

  test('tool use with input_json_delta split across deltas', () => {
    const chunks = replay(translator(), sseEvents('stream-tool-use.json'));
    const out = reassemble(chunks);
    assert.equal(out.content, "Okay, let's check the weather for San Francisco, CA:");
    assert.equal(out.finishReason, 'tool_calls');
    assert.equal(out.toolCalls.length, 1);
    assert.equal(out.toolCalls[0]?.id, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6');
    assert.equal(out.toolCalls[0]?.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(out.toolCalls[0]?.function.arguments ?? ''), { location: 'San Francisco, CA', unit: 'fahrenheit' });
    // The block is Anthropic index 1 but the first tool call: OpenAI index 0.
    const start = chunks.find((c) => c.choices[0]?.delta.tool_calls?.[0]?.id);
    assert.deepEqual(start?.choices[0]?.delta.tool_calls, [
      { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    assert.equal(out.usage?.prompt_tokens, 472);
    assert.equal(out.usage?.completion_tokens, 89);
  });

  test('parallel tool uses get indexes 0 and 1 with their own arguments', () => {
    const out = reassemble(replay(translator(), sseEvents('stream-parallel-tool-use.json')));
    assert.equal(out.content, null);
    assert.deepEqual(
      out.toolCalls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['toolu_01HnK8ZZ3wVtAf9pKx7B4eYe', 'get_weather', { location: 'San Francisco, CA' }],
        ['toolu_01RmQ5f2xTdLh3GvN8cKp1Ws', 'get_time', { timezone: 'America/Los_Angeles' }],
      ],
    );
    assert.equal(out.finishReason, 'tool_calls');
  });

  test('mid-stream error event throws 503 overloaded after the text so far', () => {
    const t = translator();
    const events = sseEvents('stream-error.json');
    const before = events.slice(0, -1).flatMap((e) => t.push(e));
    assert.equal(reassemble(before).content, 'The answer is');
    assert.throws(
      () => t.push(events[events.length - 1]!),
      (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.status, 503);
        assert.equal(err.type, 'upstream_error');
        assert.match(err.message, /Overloaded/);
        return true;
      },
    );
  });

  test('a stream without message_stop ends with a 502', () => {
    const t = translator();
    for (const e of sseEvents('stream-text.json').slice(0, 5)) t.push(e);
    assert.throws(
      () => t.end(),
      (err: unknown) =>
        err instanceof GatewayError && err.status === 502 && err.type === 'upstream_error' && /stream ended early/.test(err.message),
    );
  });

  test('message_delta usage with cumulative input counts overrides message_start', () => {
    const t = translator();
    t.push(ev({ type: 'message_start', message: { id: 'msg_a', model: 'm', usage: { input_tokens: 3, output_tokens: 1 } } }));
    t.push(
      ev({
        type: 'message_delta',
        delta: { stop_reason: 'max_tokens', stop_sequence: null },
        usage: { input_tokens: 9, cache_read_input_tokens: null, output_tokens: 4 },
      }),
    );
    const out = reassemble([...t.push(ev({ type: 'message_stop' })), ...t.end()]);
    assert.equal(out.usage?.prompt_tokens, 9);
    assert.equal(out.usage?.completion_tokens, 4);
  });

  test('the stream has ended at message_stop (its usage chunk already given), not at message_delta', () => {
    const t = translator();
    t.push(ev({ type: 'message_start', message: { id: 'msg_e', model: 'm', usage: { input_tokens: 3, output_tokens: 1 } } }));
    t.push(ev({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }));
    assert.equal(t.ended(), false);
    const last = t.push(ev({ type: 'message_stop' }));
    assert.equal(t.ended(), true);
    assert.equal(last.at(-1)?.usage?.completion_tokens, 2);
    assert.deepEqual(t.end(), []);
  });

  test('unknown events and thinking deltas are ignored; unparsable data is an upstream error', () => {
    const t = translator();
    t.push(ev({ type: 'message_start', message: { id: 'msg_b', model: 'm', usage: { input_tokens: 1, output_tokens: 1 } } }));
    assert.deepEqual(t.push(ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } })), []);
    assert.deepEqual(t.push(ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } })), []);
    assert.deepEqual(t.push(ev({ type: 'some_future_event' })), []);
    assert.throws(
      () => t.push({ event: 'content_block_delta', data: '{not json' }),
      (err: unknown) => err instanceof GatewayError && err.status === 502,
    );
  });
});

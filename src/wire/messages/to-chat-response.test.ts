import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors.js';
import { completionFromMessage } from './to-chat-response.js';
import { fixture } from './test-helpers.js';
import { mapStopReason } from './usage.js';

describe('messages → chat response', () => {
  test('text message: blocks concatenated, id/model/created, cache-aware usage', () => {
    const out = completionFromMessage(fixture('message-text.json'), () => 1_700_000_000_999);
    assert.equal(out.id, 'msg_01XFDUDYJgAACzvnptvVoYEL');
    assert.equal(out.object, 'chat.completion');
    assert.equal(out.created, 1_700_000_000);
    assert.equal(out.model, 'claude-sonnet-4-20250514');
    assert.deepEqual(out.choices, [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help you today?' },
        finish_reason: 'stop',
        logprobs: null,
      },
    ]);
    assert.deepEqual(out.usage, {
      prompt_tokens: 21 + 1500 + 188,
      completion_tokens: 12,
      total_tokens: 21 + 1500 + 188 + 12,
      prompt_tokens_details: { cached_tokens: 1500, cache_creation_tokens: 188 },
    });
  });

  test('tool_use message: text plus tool_calls with JSON arguments', () => {
    const out = completionFromMessage(fixture('message-tool-use.json'));
    const choice = out.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(choice?.message.content, "I'll check the current weather in San Francisco for you.");
    assert.deepEqual(choice?.message.tool_calls, [
      {
        id: 'toolu_01A09q90qw90lq917835lq9',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
      },
    ]);
    assert.ok(Math.abs(out.created - Date.now() / 1000) < 5);
  });

  test('parallel tool_use: content null, every call in order, null cache counts as 0', () => {
    const out = completionFromMessage(fixture('message-parallel-tool-use.json'));
    const message = out.choices[0]?.message;
    assert.equal(message?.content, null);
    assert.deepEqual(
      message?.tool_calls?.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['toolu_01HnK8ZZ3wVtAf9pKx7B4eYe', 'get_weather', { location: 'San Francisco, CA' }],
        ['toolu_01RmQ5f2xTdLh3GvN8cKp1Ws', 'get_time', { timezone: 'America/Los_Angeles' }],
      ],
    );
    assert.deepEqual(out.usage, {
      prompt_tokens: 512,
      completion_tokens: 101,
      total_tokens: 613,
      prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
    });
  });

  test('non-text blocks (thinking) are skipped', () => {
    const out = completionFromMessage({
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      model: 'm',
      stop_reason: 'end_turn',
      stop_sequence: null,
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'text', text: 'Yes.' },
      ],
      usage: { input_tokens: 1, output_tokens: 2 },
    });
    assert.equal(out.choices[0]?.message.content, 'Yes.');
    assert.equal(out.choices[0]?.message.tool_calls, undefined);
  });

  test('a body that is not a message is an upstream error', () => {
    assert.throws(
      () => completionFromMessage({ type: 'error' }),
      (e: unknown) => e instanceof GatewayError && e.status === 502 && e.type === 'upstream_error',
    );
  });

  test('stop reasons', () => {
    assert.equal(mapStopReason('end_turn'), 'stop');
    assert.equal(mapStopReason('stop_sequence'), 'stop');
    assert.equal(mapStopReason('pause_turn'), 'stop');
    assert.equal(mapStopReason('max_tokens'), 'length');
    assert.equal(mapStopReason('model_context_window_exceeded'), 'length');
    assert.equal(mapStopReason('tool_use'), 'tool_calls');
    assert.equal(mapStopReason('refusal'), 'content_filter');
  });
});

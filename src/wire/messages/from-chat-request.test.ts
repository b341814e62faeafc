// Chat → Messages request translation: what a Messages upstream is sent for a chat request.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors.js';
import type { ChatRequest } from '../../openai/types.js';
import { chatToMessages, type FromChatOptions } from './from-chat-request.js';

const ctx: FromChatOptions = { model: 'claude-sonnet-4-20250514', defaultMaxTokens: 4096 };
const user = { role: 'user' as const, content: 'Hi' };

/** The body as the upstream receives it (serialised: undefined fields are not sent). */
function body(req: Partial<ChatRequest>, c: FromChatOptions = ctx): Record<string, any> {
  return JSON.parse(JSON.stringify(chatToMessages({ model: 'anthropic/claude', messages: [user], ...req }, c)));
}

function rejects(req: Partial<ChatRequest>, param: string): void {
  assert.throws(
    () => body(req),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.param, param);
      return true;
    },
  );
}

describe('chat → messages request: parameters', () => {
  test('max_tokens, then max_completion_tokens, then the provider default', () => {
    assert.equal(body({ max_tokens: 10, max_completion_tokens: 20 }).max_tokens, 10);
    assert.equal(body({ max_completion_tokens: 20 }).max_tokens, 20);
    assert.equal(body({}).max_tokens, 4096);
    assert.equal(body({ max_tokens: null }).max_tokens, 4096);
  });

  test('stop string or array → stop_sequences', () => {
    assert.deepEqual(body({ stop: 'END' }).stop_sequences, ['END']);
    assert.deepEqual(body({ stop: ['a', 'b'] }).stop_sequences, ['a', 'b']);
    assert.equal('stop_sequences' in body({ stop: null }), false);
  });

  test('temperature, top_p, user → metadata.user_id, stream', () => {
    const b = body({ temperature: 0.2, top_p: 0.9, user: 'u-42', stream: true });
    assert.equal(b.temperature, 0.2);
    assert.equal(b.top_p, 0.9);
    assert.deepEqual(b.metadata, { user_id: 'u-42' });
    assert.equal(b.stream, true);
    const plain = body({ stream: false, temperature: null });
    assert.equal('stream' in plain, false);
    assert.equal('temperature' in plain, false);
    assert.equal('metadata' in plain, false);
  });

  test('OpenAI service-only params and Tollgate fallbacks are never sent', () => {
    const b = body({
      fallbacks: ['openai/gpt-4o'],
      stream_options: { include_usage: true },
      frequency_penalty: 0,
      presence_penalty: 0,
      logit_bias: {},
      response_format: { type: 'text' },
      n: 1,
      logprobs: false,
      store: true,
      metadata: { a: 'b' },
      service_tier: 'auto',
    });
    assert.deepEqual(Object.keys(b).sort(), ['max_tokens', 'messages', 'model']);
  });

  test('params that would change the answer and have no Anthropic equivalent: 400 naming them, never dropped', () => {
    rejects({ logprobs: true }, 'logprobs');
    rejects({ top_logprobs: 3 }, 'top_logprobs');
    rejects({ seed: 7 }, 'seed');
    rejects({ frequency_penalty: 0.5 }, 'frequency_penalty');
    rejects({ presence_penalty: -1 }, 'presence_penalty');
    rejects({ logit_bias: { 1: 2 } }, 'logit_bias');
    rejects({ response_format: { type: 'json_object' } }, 'response_format');
  });

  test('response_format json_schema → output_config.format (structured output)', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
    const b = body({ response_format: { type: 'json_schema', json_schema: { name: 'out', schema } } });
    assert.deepEqual(b.output_config, { format: { type: 'json_schema', schema } });
  });

  test('n > 1 is rejected instead of silently answering once', () => rejects({ n: 2 }, 'n'));
});

describe('chat → messages request: tools', () => {
  const weather = {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    },
  };
  const noParams = { type: 'function' as const, function: { name: 'now' } };

  test('tools → name/description/input_schema with an object default', () => {
    assert.deepEqual(body({ tools: [weather, noParams] }).tools, [
      { name: 'get_weather', description: 'Weather', input_schema: weather.function.parameters },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  test('tool_choice mapping', () => {
    assert.deepEqual(body({ tools: [weather], tool_choice: 'auto' }).tool_choice, { type: 'auto' });
    assert.deepEqual(body({ tools: [weather], tool_choice: 'required' }).tool_choice, { type: 'any' });
    assert.deepEqual(body({ tools: [weather], tool_choice: 'none' }).tool_choice, { type: 'none' });
    assert.deepEqual(body({ tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }).tool_choice, {
      type: 'tool',
      name: 'get_weather',
    });
    assert.equal('tool_choice' in body({ tools: [weather] }), false);
  });

  test('parallel_tool_calls:false → disable_parallel_tool_use', () => {
    assert.deepEqual(body({ tools: [weather], parallel_tool_calls: false }).tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(body({ tools: [weather], tool_choice: 'required', parallel_tool_calls: false }).tool_choice, {
      type: 'any',
      disable_parallel_tool_use: true,
    });
    assert.deepEqual(
      body({ tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false })
        .tool_choice,
      { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
    );
    assert.deepEqual(body({ tools: [weather], tool_choice: 'none', parallel_tool_calls: false }).tool_choice, { type: 'none' });
    assert.equal('tool_choice' in body({ tools: [weather], parallel_tool_calls: true }), false);
  });

  test('no tools → neither tools nor tool_choice', () => {
    const b = body({ tools: [], tool_choice: 'auto', parallel_tool_calls: false });
    assert.equal('tools' in b, false);
    assert.equal('tool_choice' in b, false);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors.js';
import type { ChatMessage } from '../../openai/types.js';
import { mapMessages } from './from-chat-turns.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function rejects(messages: ChatMessage[], param: string, pattern?: RegExp): void {
  assert.throws(
    () => mapMessages(messages),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.param, param);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('anthropic messages: system', () => {
  test('leading system and developer messages become one top-level system string', () => {
    const out = mapMessages([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Answer in French.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.equal(out.system, 'Be brief.\n\nAnswer in French.');
    assert.deepEqual(out.messages, [{ role: 'user', content: 'Hi' }]);
  });

  test('a system or developer message mid-conversation is refused, never hoisted', () => {
    rejects(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: 'Answer in French.' },
      ],
      'messages[2].role',
      /after the conversation started/,
    );
  });

  test('12,000 consecutive user messages merge in linear time into one turn', () => {
    const many: ChatMessage[] = Array.from({ length: 12_000 }, (_, i) => ({ role: 'user', content: String(i % 10) }));
    const out = mapMessages(many);
    assert.equal(out.messages.length, 1);
    const blocks = out.messages[0]!.content as { text: string }[];
    assert.equal(blocks.length, 12_000);
    assert.equal(blocks[11_999]!.text, '9');
  });

  test('part content keeps text blocks (with cache_control)', () => {
    const out = mapMessages([
      { role: 'system', content: 'Intro' },
      { role: 'system', content: [{ type: 'text', text: 'Long doc', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: 'Q' },
    ]);
    assert.deepEqual(out.system, [
      { type: 'text', text: 'Intro' },
      { type: 'text', text: 'Long doc', cache_control: { type: 'ephemeral' } },
    ]);
  });

  test('no system message → no system field', () => {
    assert.equal('system' in mapMessages([{ role: 'user', content: 'Hi' }]), false);
  });

  test('images in a system message are rejected', () => {
    rejects(
      [
        { role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'user', content: 'q' },
      ],
      'messages[0].content[0].type',
    );
  });

  test('only system messages → rejected', () => rejects([{ role: 'system', content: 'x' }], 'messages'));
});

describe('anthropic messages: content parts', () => {
  test('text and image parts → text and image blocks', () => {
    const out = mapMessages([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
        ],
      },
    ]);
    assert.deepEqual(out.messages[0]?.content, [
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  test('bad images and unsupported parts are rejected with their path', () => {
    rejects(
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }] }],
      'messages[0].content[0].image_url.url',
      /base64/,
    );
    rejects(
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/bmp;base64,${PNG}` } }] }],
      'messages[0].content[0].image_url.url',
      /image\/bmp/,
    );
    rejects(
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }],
      'messages[0].content[0].image_url.url',
    );
    rejects(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'input_audio', input_audio: { data: '', format: 'wav' } },
          ],
        },
      ],
      'messages[0].content[1].type',
    );
  });
});

describe('anthropic messages: tool calls and results', () => {
  const history: ChatMessage[] = [
    { role: 'user', content: 'Weather in Paris and Rome?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '18C' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
  ];

  test('assistant tool_calls → tool_use blocks with parsed input', () => {
    assert.deepEqual(mapMessages(history).messages[1], {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
      ],
    });
  });

  test('consecutive tool messages → ONE user message of tool_result blocks', () => {
    const out = mapMessages(history).messages;
    assert.equal(out.length, 3);
    assert.deepEqual(out[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
      ],
    });
  });

  test('a user message after tool results joins the same turn, results first', () => {
    const out = mapMessages([...history, { role: 'user', content: 'Thanks, and Oslo?' }]).messages;
    assert.equal(out.length, 3);
    assert.deepEqual(out[2]?.content, [
      { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
      { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
      { type: 'text', text: 'Thanks, and Oslo?' },
    ]);
  });

  test('empty arguments mean {} and an assistant turn without content is dropped', () => {
    const out = mapMessages([
      { role: 'user', content: 'time?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'now', arguments: '' } }] },
      { role: 'assistant', content: '' },
    ]).messages;
    assert.deepEqual(out, [
      { role: 'user', content: 'time?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'now', input: {} }] },
    ]);
  });

  test('invalid or non-object arguments are rejected naming the param path', () => {
    const bad = (args: string): ChatMessage[] => [
      { role: 'system', content: 's' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'ok', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'bad', type: 'function', function: { name: 'f', arguments: args } },
        ],
      },
    ];
    rejects(bad('{"city": "Pa'), 'messages[3].tool_calls[1].function.arguments', /not valid JSON/);
    rejects(bad('[1,2]'), 'messages[3].tool_calls[1].function.arguments', /object/);
  });

  test('consecutive same-role messages are merged (Anthropic requires alternation)', () => {
    const out = mapMessages([
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'a' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'b' },
          { type: 'refusal', refusal: 'no' },
        ],
      },
    ]).messages;
    assert.deepEqual(out, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
          { type: 'text', text: 'no' },
        ],
      },
    ]);
  });
});

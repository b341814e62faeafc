// Property: on any body, the hand check either defers (undefined) or returns exactly what the
// schema returns: the same values, keys in the same order. It never accepts a body the schema
// refuses. Bodies are generated as JSON text and parsed, as they arrive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastChatRequest } from './fast-chat-request.js';
import { chatRequestSchema } from './request-schema.js';

const anyJson = fc.jsonValue({ maxDepth: 2 });
const str = fc.oneof(fc.constantFrom('', 'x', 'hello', 'a'.repeat(257), '__proto__'), fc.string({ maxLength: 8 }));
const num = fc.oneof(fc.constantFrom(0, 1, 2, -1, 0.5, 1.5, 2.5, 64, 2 ** 53), fc.double({ noNaN: true, noDefaultInfinity: true }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), anyJson);

const unknownKeys = fc.dictionary(fc.constantFrom('extra', 'metadata', 'seed', '__proto__', 'logprobs'), anyJson, { maxKeys: 2 });

// Content parts of every branch of the schema's union, near misses of each, and unknown keys.
const imageUrl = fc
  .record({ url: str, detail: fc.oneof(fc.constantFrom('auto', 'low', 'high', 'max'), anyJson) }, { requiredKeys: [] })
  .chain((u) => unknownKeys.map((extra) => ({ ...extra, ...u })));
const part = fc.oneof(
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom('text', 'image_url', 'input_audio', ''), anyJson),
        text: fc.oneof(str, anyJson),
        image_url: fc.oneof(imageUrl, anyJson),
      },
      { requiredKeys: [] },
    )
    .chain((p) => unknownKeys.map((extra) => ({ ...extra, ...p }))),
  anyJson,
);
const parts = fc.array(part, { maxLength: 4 });
// Mostly of a branch's shape (so many bodies are answered by the hand check), sometimes anything.
const validParts = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('text'), text: str }),
    fc.record({ type: fc.constant('image_url'), image_url: imageUrl }),
    fc.record({ type: fc.constantFrom('input_audio', 'file'), file: anyJson }, { requiredKeys: ['type'] }),
    part,
  ),
  { minLength: 1, maxLength: 4 },
);

const message = fc
  .record(
    {
      role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), str),
      content: fc.oneof(str, fc.constant(null), fc.constant([{ type: 'text', text: 'hi' }]), parts, anyJson),
      name: fc.oneof(str, anyJson),
      tool_call_id: fc.oneof(str, anyJson),
      tool_calls: fc.constant([{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }]),
    },
    { requiredKeys: [] },
  )
  .chain((m) => unknownKeys.map((extra) => ({ ...extra, ...m })));

const body = fc
  .record(
    {
      model: fc.oneof(str, anyJson),
      messages: fc.oneof(fc.array(message, { minLength: 0, maxLength: 4 }), anyJson),
      stream: maybe(fc.boolean()),
      stream_options: maybe(fc.record({ include_usage: fc.oneof(fc.boolean(), anyJson) }, { requiredKeys: [] })),
      tools: fc.constant([{ type: 'function', function: { name: 'f' } }]),
      tool_choice: fc.constantFrom('auto', 'none'),
      parallel_tool_calls: maybe(fc.boolean()),
      max_tokens: maybe(num),
      max_completion_tokens: maybe(num),
      temperature: maybe(num),
      top_p: maybe(num),
      n: maybe(num),
      stop: maybe(fc.oneof(str, fc.array(str, { maxLength: 5 }))),
      user: maybe(str),
      fallbacks: fc.array(str, { maxLength: 2 }),
    },
    { requiredKeys: [] },
  )
  .chain((b) => unknownKeys.map((extra) => ({ ...extra, ...b })))
  // Any key order, as a client may send.
  .chain((b) => fc.shuffledSubarray(Object.entries(b), { minLength: Object.keys(b).length }))
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);

// Values at and just past the schema's bounds, and of the wrong type.
const NEAR_MISSES: Record<string, unknown[]> = {
  model: ['', 'a'.repeat(256), 'a'.repeat(257), 5, null],
  messages: [
    [],
    [{ role: 'user' }],
    [{ role: 'user', content: null }],
    [{ role: 'user', content: 'x', name: 5 }],
    [{ role: 'tool', tool_call_id: '', content: 'x' }],
    [{ role: 'tool', tool_call_id: 'c', content: null }],
    [{ role: 'assistant' }],
    [{ role: 'assistant', content: 5 }],
    [{ role: 'function', content: 'x' }],
    ['user'],
    {},
  ],
  stream: ['true', 0, 1],
  stream_options: [{ include_usage: null }, { include_usage: 'yes' }, { x: 1 }, [], 'x'],
  parallel_tool_calls: [null, 'true'],
  max_tokens: [0, -1, 1, 1.5, 2 ** 53, 2 ** 53 - 1, '64'],
  max_completion_tokens: [0, 1.5, null, 1],
  temperature: [0, 2, 2.0000001, -0.0000001, 3, '1'],
  top_p: [0, 1, 1.0000001, -0.1],
  n: [0, 1, 2, '1'],
  stop: ['', [], ['a'], 5],
  user: [null, 5, ''],
};

// Mostly the common shape, so that many bodies are answered by the hand check; one value in
// three is then replaced by a near miss.
const validMessage = fc.oneof(
  fc.record(
    { role: fc.constantFrom('system', 'developer', 'user'), content: fc.oneof(str, validParts), name: str },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record(
    { role: fc.constant('assistant'), content: fc.oneof(str, fc.constant(null), validParts), name: str },
    { requiredKeys: ['role'] },
  ),
  fc.record(
    { role: fc.constant('tool'), tool_call_id: fc.constantFrom('c1', 'call_9'), content: fc.oneof(str, validParts), name: str },
    { requiredKeys: ['role', 'tool_call_id', 'content'] },
  ),
);
const commonBody = fc
  .record(
    {
      model: fc.constantFrom('openai/gpt-4o-mini', 'm'),
      messages: fc.array(validMessage, { minLength: 1, maxLength: 4 }),
      stream: fc.oneof(fc.boolean(), fc.constant(null)),
      stream_options: fc.oneof(fc.constant(null), fc.record({ include_usage: fc.boolean() }, { requiredKeys: [] })),
      parallel_tool_calls: fc.boolean(),
      max_tokens: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constant(null)),
      max_completion_tokens: fc.integer({ min: 1, max: 4096 }),
      temperature: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constant(null)),
      top_p: fc.double({ min: 0, max: 1, noNaN: true }),
      n: fc.constant(1),
      stop: fc.oneof(str, fc.constant(null)),
      user: str,
      seed: fc.integer(),
    },
    { requiredKeys: ['model', 'messages'] },
  )
  .chain((b) =>
    fc.tuple(fc.constant(b), fc.nat({ max: 2 }), fc.constantFrom(...Object.keys(NEAR_MISSES)), fc.nat()).map(([b, dice, key, pick]) => {
      if (dice !== 0) return b;
      const values = NEAR_MISSES[key]!;
      return { ...b, [key]: values[pick % values.length] };
    }),
  )
  .chain((b) => fc.shuffledSubarray(Object.entries(b), { minLength: Object.keys(b).length }))
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);

describe('fastChatRequest', () => {
  test('defers, or returns exactly what chatRequestSchema returns (values and key order)', () => {
    let answered = 0;
    let withParts = 0;
    fc.assert(
      fc.property(fc.oneof(body, commonBody), (text) => {
        const parsed: unknown = JSON.parse(text);
        const fast = fastChatRequest(parsed);
        if (fast === undefined) return;
        answered++;
        if (fast.messages.some((m) => Array.isArray(m.content) && m.content.length)) withParts++;
        const schema = chatRequestSchema.safeParse(JSON.parse(text));
        assert.ok(schema.success, `accepted a body the schema refuses: ${text}`);
        assert.equal(JSON.stringify(fast), JSON.stringify(schema.data));
        assert.deepStrictEqual(fast, schema.data);
      }),
      { numRuns: 5000 },
    );
    // Not vacuous: many generated bodies are of the common shape.
    assert.ok(answered > 500, `${answered} answered`);
    assert.ok(withParts > 100, `${withParts} answered with content parts`);
  });

  test('answers the common request itself', () => {
    const text = JSON.stringify({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello', name: 'ann' },
        { role: 'assistant', content: null, refusal: null },
        { role: 'tool', tool_call_id: 'c1', content: '42' },
      ],
      model: 'openai/gpt-4o-mini',
      max_tokens: 64,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
      seed: 7,
    });
    const fast = fastChatRequest(JSON.parse(text));
    assert.ok(fast);
    assert.equal(JSON.stringify(fast), JSON.stringify(chatRequestSchema.parse(JSON.parse(text))));
  });
});

// Property: on any body, the hand check either defers (undefined) or returns exactly what the
// schema returns: the same values, keys in the same order. It never accepts a body the schema
// refuses. Bodies are generated as JSON text and parsed, as they arrive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { passThroughBody } from '../../../bench/pass-through.js';
import { fastMessagesRequest, TOOL_CHOICE_KEYS, TOOL_CHOICE_TYPES, TOOL_KEYS, TOP_KEYS } from './fast-request.js';
import { messagesRequestSchema, parseMessagesRequest } from './request-schema.js';

const anyJson = fc.jsonValue({ maxDepth: 2 });
const str = fc.oneof(fc.constantFrom('', 'x', 'hello', 'a'.repeat(256), 'a'.repeat(257), '__proto__'), fc.string({ maxLength: 8 }));
const num = fc.oneof(
  fc.constantFrom(0, 1, -1, 0.5, 1.5, 64, 2 ** 53 - 1, 2 ** 53, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const unknownKeys = fc.dictionary(fc.constantFrom('extra', 'metadata', '__proto__', 'temperature', 'thinking'), anyJson, { maxKeys: 2 });
const shuffled = <T extends object>(arb: fc.Arbitrary<T>) =>
  arb.chain((o) => fc.shuffledSubarray(Object.entries(o), { minLength: Object.keys(o).length }).map(Object.fromEntries));
const asText = (o: object) =>
  `{${Object.entries(o)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',')}}`;

const block = fc.oneof(
  fc.record(
    { type: fc.constantFrom('text', 'image', ''), text: str, cache_control: fc.constant({ type: 'ephemeral' }) },
    { requiredKeys: [] },
  ),
  anyJson,
);
const message = fc.oneof(
  shuffled(
    fc.record(
      { role: fc.oneof(fc.constantFrom('user', 'assistant', 'system'), str), content: fc.oneof(str, fc.array(block, { maxLength: 3 })) },
      { requiredKeys: [] },
    ),
  ),
  anyJson,
);
const tool = fc.oneof(
  shuffled(
    fc
      .record({ name: fc.oneof(str, anyJson), description: str, input_schema: fc.constant({ type: 'object' }) }, { requiredKeys: [] })
      .chain((t) => unknownKeys.map((extra) => ({ ...extra, ...t }))),
  ),
  anyJson,
);
const toolChoice = fc.oneof(
  shuffled(
    fc
      .record(
        { type: fc.oneof(fc.constantFrom('auto', 'any', 'tool', 'none', 'function'), str), name: fc.oneof(str, anyJson) },
        { requiredKeys: [] },
      )
      .chain((t) => unknownKeys.map((extra) => ({ ...extra, ...t }))),
  ),
  anyJson,
);

// Mostly near the common shape, so that many bodies are answered by the hand check.
const body = fc
  .record(
    {
      model: fc.oneof(fc.constantFrom('claude/claude-bench', 'm'), str, anyJson),
      max_tokens: fc.oneof(fc.integer({ min: 1, max: 64_000 }), num, anyJson),
      messages: fc.oneof(fc.array(message, { maxLength: 3 }), anyJson),
      system: fc.oneof(str, fc.array(block, { maxLength: 2 }), anyJson),
      tools: fc.oneof(fc.array(tool, { maxLength: 3 }), anyJson),
      tool_choice: toolChoice,
      stream: fc.oneof(fc.boolean(), anyJson),
      fallbacks: fc.oneof(fc.array(str, { maxLength: 6 }), anyJson),
    },
    { requiredKeys: [] },
  )
  .chain((b) => unknownKeys.map((extra) => ({ ...extra, ...b })))
  // Any key order, as a client may send.
  .chain((b) => fc.shuffledSubarray(Object.entries(b), { minLength: Object.keys(b).length }))
  .map((entries) => asText(Object.fromEntries(entries)));

// Valid values, one of which in three bodies is then replaced by a near miss.
const NEAR_MISSES: Record<string, unknown[]> = {
  model: ['', 'a'.repeat(256), 'a'.repeat(257), 5, null],
  max_tokens: [0, -1, 1, 1.5, 2 ** 53, 2 ** 53 - 1, '64', null],
  messages: [[], null, {}, 'x', [null]],
  system: [null, 5, {}, [], ['x']],
  tools: [null, {}, [{}], [{ name: '' }], [{ name: 'a'.repeat(257) }], [null], Array.from({ length: 1025 }, () => ({ name: 'f' }))],
  tool_choice: [null, 'auto', {}, { type: 'function' }, { type: 'tool', name: 5 }, { type: 'tool', name: null }],
  stream: ['true', 0, null],
  fallbacks: [null, 'x', [''], [5], ['a', 'b', 'c', 'd', 'e', 'f'], ['a'.repeat(257)]],
};
const validMessage = shuffled(
  fc.record({
    role: fc.constantFrom('user', 'assistant'),
    content: fc.oneof(str, fc.array(fc.record({ type: fc.constantFrom('text', 'tool_use'), text: str }), { maxLength: 2 })),
  }),
);
const commonBody = fc
  .record(
    {
      model: fc.constantFrom('claude/claude-bench', 'm'),
      max_tokens: fc.integer({ min: 1, max: 64_000 }),
      messages: fc.array(validMessage, { minLength: 1, maxLength: 3 }),
      system: fc.oneof(str, fc.array(fc.record({ type: fc.constant('text'), text: str }), { maxLength: 2 })),
      tools: fc.array(shuffled(fc.record({ name: fc.constantFrom('Bash', 'Read'), description: str, input_schema: fc.constant({}) })), {
        maxLength: 2,
      }),
      tool_choice: shuffled(
        fc.record(
          { type: fc.constantFrom('auto', 'any', 'tool', 'none'), name: str, disable_parallel_tool_use: fc.boolean() },
          { requiredKeys: ['type'] },
        ),
      ),
      stream: fc.boolean(),
      fallbacks: fc.array(fc.constantFrom('claude/a', 'b'), { maxLength: 5 }),
      metadata: fc.constant({ user_id: 'u' }),
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
  .map((entries) => asText(Object.fromEntries(entries)));

describe('fastMessagesRequest', () => {
  test('defers, or returns exactly what messagesRequestSchema returns (values and key order)', () => {
    let answered = 0;
    fc.assert(
      fc.property(fc.oneof(body, commonBody), (text) => {
        const parsed: unknown = JSON.parse(text);
        const fast = fastMessagesRequest(parsed);
        if (fast === undefined) return;
        answered++;
        const schema = messagesRequestSchema.safeParse(JSON.parse(text));
        assert.ok(schema.success, `accepted a body the schema refuses: ${text}`);
        // JSON text compares key order at every level; deepStrictEqual the values (-0 included).
        assert.equal(JSON.stringify(fast), JSON.stringify(schema.data));
        assert.deepStrictEqual(fast, schema.data);
        // The same copies as zod's: a new top object and new arrays, message elements shared.
        const b = parsed as Record<string, unknown>;
        assert.notEqual(fast, parsed);
        for (const key of ['messages', 'system', 'tools', 'fallbacks'])
          if (Array.isArray(b[key])) assert.notEqual(fast[key as 'messages'], b[key]);
        fast.messages.forEach((m, i) => {
          assert.equal(m, (b.messages as unknown[])[i]);
        });
      }),
      { numRuns: 6000 },
    );
    // Not vacuous: many generated bodies are of the common shape.
    assert.ok(answered > 1000, `${answered} answered`);
  });

  test("answers the bench's request and Claude Code's usual shape itself", () => {
    const claudeCode = {
      model: 'claude-sonnet-4-5',
      max_tokens: 32000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      system: [{ type: 'text', text: 'You are Claude Code.' }],
      tools: [{ name: 'Bash', description: 'run', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      metadata: { user_id: 'u' },
      stream: true,
    };
    for (const text of [passThroughBody('messages', false), passThroughBody('messages', true), JSON.stringify(claudeCode)]) {
      const fast = fastMessagesRequest(JSON.parse(text));
      assert.ok(fast, text);
      const schema = JSON.stringify(messagesRequestSchema.parse(JSON.parse(text)));
      assert.equal(JSON.stringify(fast), schema);
      assert.equal(JSON.stringify(parseMessagesRequest(JSON.parse(text))), schema);
    }
  });

  test('the checks after the schema still run on the fast path', () => {
    const req = { model: 'm', messages: [{ role: 'user', content: [{ text: 'no type' }] }] };
    assert.ok(fastMessagesRequest(req));
    assert.throws(() => parseMessagesRequest(req), /messages\[0\]\.content\[0\]\.type/);
  });
});

// The key lists are copies of the schema's (fast-request.ts cannot import the schema: the schema
// imports it). A field added to the schema but not there would pass the hand check unvalidated.
test("the hand check's keys are the schema's, in its order", () => {
  const shape = messagesRequestSchema.shape;
  assert.deepEqual([...TOP_KEYS], Object.keys(shape));
  assert.deepEqual([...TOOL_KEYS], Object.keys(shape.tools.unwrap().element.shape));
  const choice = shape.tool_choice.unwrap();
  assert.deepEqual([...TOOL_CHOICE_KEYS], Object.keys(choice.shape));
  assert.deepEqual([...TOOL_CHOICE_TYPES], choice.shape.type.options);
});

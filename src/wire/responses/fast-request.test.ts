// Property: on any body, the hand check either defers (undefined) or returns exactly what the
// schema returns: the same values, keys in the same order. It never accepts a body the schema
// refuses. Bodies are generated as JSON text and parsed, as they arrive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastResponsesRequest, TOP_KEYS } from './fast-request.js';
import { responsesRequestSchema } from './request-schema.js';

const anyJson = fc.jsonValue({ maxDepth: 2 });
const str = fc.oneof(fc.constantFrom('', 'x', 'hello', 'a'.repeat(201), 'a'.repeat(257), '__proto__'), fc.string({ maxLength: 8 }));
const num = fc.oneof(fc.constantFrom(0, 1, 2, -1, 0.5, 1.5, 2.5, 64, 2 ** 53), fc.double({ noNaN: true, noDefaultInfinity: true }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), anyJson);

const unknownKeys = fc.dictionary(fc.constantFrom('extra', 'seed', '__proto__', 'prompt_cache_key', 'service_tier'), anyJson, {
  maxKeys: 2,
});

const part = fc.oneof(
  fc.record({ type: fc.constantFrom('input_text', 'output_text'), text: fc.oneof(str, anyJson) }, { requiredKeys: [] }),
  fc.record({ type: fc.oneof(fc.constantFrom('refusal', 'input_image', ''), str), refusal: str, image_url: str }, { requiredKeys: [] }),
  anyJson,
);
const item = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom('message', 'function_call', 'function_call_output', 'mcp_call', 'reasoning'), str, anyJson),
      role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'developer', 'tool'), str, anyJson),
      content: fc.oneof(str, fc.array(part, { maxLength: 3 }), anyJson),
      call_id: str,
      name: str,
      arguments: str,
    },
    { requiredKeys: [] },
  )
  .chain((m) => unknownKeys.map((extra) => ({ ...extra, ...m })));

const body = fc
  .record(
    {
      model: fc.oneof(str, anyJson),
      input: fc.oneof(str, fc.array(item, { maxLength: 4 }), anyJson),
      instructions: maybe(str),
      tools: fc.constant([{ type: 'function', name: 'f' }]),
      tool_choice: fc.constantFrom('auto', 'none'),
      parallel_tool_calls: maybe(fc.boolean()),
      max_output_tokens: maybe(num),
      reasoning: fc.constant({ effort: 'low' }),
      text: fc.constant({ format: { type: 'text' } }),
      store: maybe(fc.boolean()),
      include: fc.constant(['reasoning.encrypted_content']),
      previous_response_id: maybe(str),
      stream: maybe(fc.boolean()),
      temperature: maybe(num),
      top_p: maybe(num),
      user: maybe(str),
      metadata: fc.constant({ a: 'b' }),
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
  input: [
    [],
    null,
    5,
    [{ role: 'user' }],
    [{ role: 'user', content: null }],
    [{ role: 'tool', content: 'x' }],
    [{ type: 'message', role: 'user', content: [{ type: 'input_text' }] }],
    [{ type: 'message', role: 'user', content: [{ type: '' }] }],
    [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 5 }] }],
    [{ type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'u' }] }],
    [{ type: 'message', role: 'user', content: ['x'] }],
    [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }],
    [{ type: '', role: 'user', content: 'x' }],
    [{ type: null, role: 'user', content: 'x' }],
    ['user'],
    {},
  ],
  instructions: [5, '', null],
  parallel_tool_calls: [null, 'true'],
  max_output_tokens: [0, -1, 1, 1.5, 2 ** 53, 2 ** 53 - 1, '64'],
  store: ['false', 0, null],
  previous_response_id: ['', 'a'.repeat(200), 'a'.repeat(201), 5],
  stream: ['true', 0, 1],
  temperature: [0, 2, 2.0000001, -0.0000001, 3, '1'],
  top_p: [0, 1, 1.0000001, -0.1],
  user: [null, 5, ''],
};

// Mostly the common shape, so that many bodies are answered by the hand check; one value in
// three is then replaced by a near miss.
const textPart = fc.record(
  { type: fc.constantFrom('input_text', 'output_text'), text: str, annotations: fc.constant([]) },
  { requiredKeys: ['type', 'text'] },
);
const otherPart = fc.record(
  {
    type: fc.constantFrom('input_image', 'input_file', 'refusal', 'input_text'),
    image_url: fc.oneof(str, anyJson),
    detail: str,
    text: anyJson,
  },
  { requiredKeys: ['type'] },
);
const validItem = fc
  .record(
    {
      type: fc.constant('message'),
      role: fc.constantFrom('user', 'assistant', 'system', 'developer'),
      content: fc.oneof(str, fc.array(fc.oneof(textPart, otherPart, part), { maxLength: 3 })),
      id: fc.constantFrom('msg_1', 'msg_2'),
      status: fc.constant('completed'),
    },
    { requiredKeys: ['role', 'content'] },
  )
  .chain((m) => fc.shuffledSubarray(Object.entries(m), { minLength: Object.keys(m).length }).map(Object.fromEntries));
const commonBody = fc
  .record(
    {
      model: fc.constantFrom('openai/gpt-4o-mini', 'm'),
      input: fc.oneof(str, fc.array(validItem, { minLength: 1, maxLength: 4 })),
      instructions: fc.oneof(str, fc.constant(null)),
      parallel_tool_calls: fc.oneof(fc.boolean(), fc.constant(null)),
      max_output_tokens: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constant(null)),
      store: fc.boolean(),
      previous_response_id: fc.constantFrom('resp_1', null),
      stream: fc.oneof(fc.boolean(), fc.constant(null)),
      temperature: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constant(null)),
      top_p: fc.double({ min: 0, max: 1, noNaN: true }),
      user: str,
      prompt_cache_key: str,
    },
    { requiredKeys: ['model'] },
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

describe('fastResponsesRequest', () => {
  test('defers, or returns exactly what responsesRequestSchema returns (values and key order)', () => {
    let answered = 0;
    fc.assert(
      fc.property(fc.oneof(body, commonBody), (text) => {
        const parsed: unknown = JSON.parse(text);
        const fast = fastResponsesRequest(parsed);
        if (fast === undefined) return;
        answered++;
        const schema = responsesRequestSchema.safeParse(JSON.parse(text));
        assert.ok(schema.success, `accepted a body the schema refuses: ${text}`);
        assert.equal(JSON.stringify(fast), JSON.stringify(schema.data));
        assert.deepStrictEqual(fast, schema.data);
      }),
      { numRuns: 5000 },
    );
    // Not vacuous: many generated bodies are of the common shape.
    assert.ok(answered > 500, `${answered} answered`);
  });

  test("answers the common request itself (Codex's text input, the bench's string input)", () => {
    for (const req of [
      { model: 'oai/bench-model', instructions: 'Be brief.', input: 'Say hello.', max_output_tokens: 64, store: false },
      {
        store: false,
        input: [
          { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
          { role: 'user', content: [{ type: 'input_text', text: 'hi' }], id: 'msg_1' },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hello', annotations: [] }] },
        ],
        model: 'openai/gpt-5',
        stream: true,
        prompt_cache_key: 'k',
      },
    ]) {
      const text = JSON.stringify(req);
      const fast = fastResponsesRequest(JSON.parse(text));
      assert.ok(fast);
      assert.equal(JSON.stringify(fast), JSON.stringify(responsesRequestSchema.parse(JSON.parse(text))));
    }
  });
});

// TOP_KEYS is a copy of the schema's keys (fast-request.ts cannot import the schema: the schema
// imports it). A field added to the schema but not there would pass the hand check unvalidated.
test("the hand check's top-level keys are the schema's, in its order", () => {
  assert.deepEqual([...TOP_KEYS], Object.keys(responsesRequestSchema.shape));
});

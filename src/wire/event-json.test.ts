import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseMessagesEvent } from './event-json.js';

/** The same value as JSON.parse, keys in the same order; or the same error when JSON.parse throws. */
function sameAsJsonParse(parse: (data: string) => unknown, data: string): void {
  let expected: unknown;
  try {
    expected = JSON.parse(data);
  } catch (err) {
    assert.throws(() => parse(data), { name: (err as Error).name, message: (err as Error).message });
    return;
  }
  const got = parse(data);
  assert.deepStrictEqual(got, expected);
  assert.equal(JSON.stringify(got), JSON.stringify(expected));
}

// Strings of any code units (quotes, backslashes, controls, lone surrogates), written raw into the
// event's text (often invalid JSON) or escaped by JSON.stringify; numbers of any kind, as text.
const raw = fc.string({ unit: 'binary', maxLength: 12 });
const piece = fc.oneof(
  raw,
  raw.map((s) => JSON.stringify(s).slice(1, -1)),
  fc.constantFrom('', 'Hello', ' there!', 'é ✓ 😀', '"', '\\"', '\\n', '\\u0041', '}}', '"}}'),
);
const num = fc.oneof(fc.nat().map(String), fc.constantFrom('0', '00', '01', '-1', '1.5', '1e3', '1234567890', '999999999', ' 1', ''));

test('parseMessagesEvent is JSON.parse for text deltas, stops and pings, of any content, valid or not', () => {
  fc.assert(
    fc.property(num, piece, fc.constantFrom('', ' ', '}', '"}}', 'x'), (index, text, tail) => {
      sameAsJsonParse(
        parseMessagesEvent,
        `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":"${text}"}}${tail}`,
      );
      sameAsJsonParse(parseMessagesEvent, `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":"${text}"}}`);
      sameAsJsonParse(parseMessagesEvent, `{"type":"content_block_stop","index":${index}}${tail}`);
      sameAsJsonParse(parseMessagesEvent, `{"type":"content_block_stop","index":${index}}`);
      sameAsJsonParse(parseMessagesEvent, `{"type":"${text}"}`);
    }),
    { numRuns: 3000 },
  );
  for (const data of [
    '{"type":"ping"}',
    '{"type":"message_stop"}',
    '{"type":"ping"} ',
    '{"type": "ping"}',
    '{"type":"message_start","message":{}}',
  ])
    sameAsJsonParse(parseMessagesEvent, data);
});

test("the usual forms (Anthropic's streams) are read without JSON.parse", () => {
  const usual: [(data: string) => unknown, string][] = [
    [parseMessagesEvent, '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}'],
    [parseMessagesEvent, '{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"é ✓ 😀"}}'],
    [parseMessagesEvent, '{"type":"content_block_stop","index":0}'],
    [parseMessagesEvent, '{"type":"ping"}'],
    [parseMessagesEvent, '{"type":"message_stop"}'],
  ];
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string) => {
    calls++;
    return parse(text);
  }) as typeof JSON.parse;
  try {
    for (const [fn, data] of usual) assert.deepStrictEqual(fn(data), parse(data));
  } finally {
    JSON.parse = parse;
  }
  assert.equal(calls, 0);
});

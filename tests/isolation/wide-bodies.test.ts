// Wide bodies: a body within maxBodyBytes (4 MiB) can hold a JSON object of ~400,000 keys where a
// request carries open-ended JSON — a tool's `parameters` (chat, Responses), Responses
// `text.format.schema` and `metadata`. Validating such a body must cost less than parsing it, or
// one key stalls every other tenant: zod's records walked and copied every key, 1.4–1.6× as long
// as JSON.parse of the whole body (3× when every value was wrong: an issue object per key), on top
// of the parse (280–520 ms of event loop per request at load 6–9). Measured here as CPU time of
// the validation against CPU time of JSON.parse of the same body (the least any request costs),
// the best of several runs of each, interleaved, so load on the machine cancels out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatRequest } from '../../src/openai/request-schema.js';
import { parseResponsesRequest } from '../../src/wire/responses/request-schema.js';

const BYTES = 3_900_000;

/** An object of as many short distinct keys as fit in `bytes` of JSON. */
function wide(bytes: number, value: unknown = ''): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const v = JSON.stringify(value).length;
  for (let i = 0, size = 2; size < bytes; i++) {
    const key = `k${i.toString(36)}`;
    o[key] = value;
    size += key.length + 4 + v;
  }
  return o;
}

const cpuMs = (f: () => void): number => {
  const start = process.cpuUsage();
  f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

/**
 * Best-of-n CPU ms of validating the parsed body and of JSON.parse of its text, taken in turn, and
 * what each validation threw (undefined: accepted), checked by the caller: the measured runs are
 * the check, not an extra parse and validation of 4 MB before them.
 */
function costs(text: string, validate: (body: unknown) => void): { validate: number; parse: number; thrown: unknown[] } {
  let best = { validate: Infinity, parse: Infinity };
  const thrown: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    let body: unknown;
    const parse = cpuMs(() => (body = JSON.parse(text)));
    let error: unknown;
    const v = cpuMs(() => {
      try {
        validate(body);
      } catch (err) {
        // A refusal costs what it costs too; what it says is checked by the caller.
        error = err;
      }
    });
    thrown.push(error);
    best = { validate: Math.min(best.validate, v), parse: Math.min(best.parse, parse) };
  }
  return { ...best, thrown };
}

// zod's record walked only the object's own keys: the wide object is the schema itself.
// One wide object for the three cases that carry it (each is stringified on its own; building
// 400,000 keys three times was CPU the tests do not measure).
let wideSchema: Record<string, unknown> | undefined;
const schema = () => (wideSchema ??= Object.assign({ type: 'object' }, wide(BYTES - 200)));
const imageParts = (n: number) => Array.from({ length: n }, () => ({ type: 'image_url', image_url: { url: 'x' } }));
const chatBody = (extra: object) => Object.assign({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, extra);
const responsesBody = (extra: object) => Object.assign({ model: 'openai/gpt-4o-mini', input: 'hi' }, extra);

// Open-ended JSON is not walked at all now (≈0× parse; zod: 1.7–1.9×). Metadata's values are each
// checked for a string in one plain loop (~0.5–0.7×, as much with a wrong value: V8 enumerates all
// keys first; zod: 1.8×, and 5× with a wrong value per key, an issue object each).
const cases: { name: string; body: object; parse: (b: unknown) => unknown; bound: number; refused?: RegExp }[] = [
  {
    name: 'chat tool parameters',
    body: chatBody({ tools: [{ type: 'function', function: { name: 'f', parameters: schema() } }] }),
    parse: parseChatRequest,
    bound: 0.5,
  },
  {
    name: 'Responses tool parameters',
    body: responsesBody({ tools: [{ type: 'function', name: 'f', parameters: schema() }] }),
    parse: parseResponsesRequest,
    bound: 0.5,
  },
  {
    name: 'Responses text.format.schema',
    body: responsesBody({ text: { format: { type: 'json_schema', name: 'x', schema: schema() } } }),
    parse: parseResponsesRequest,
    bound: 0.5,
  },
  // Not wide but many: 90,000 image parts (4 MiB; requestLimits.maxContentParts is 100,000) went
  // through zod's part union, ~1.5 µs a part, 3–4× JSON.parse; the hand check copies them.
  {
    name: 'chat image parts',
    body: chatBody({ messages: [{ role: 'user', content: imageParts(90_000) }] }),
    parse: parseChatRequest,
    bound: 1,
  },
  {
    name: 'Responses image parts',
    body: responsesBody({
      input: [{ role: 'user', content: Array.from({ length: 100_000 }, () => ({ type: 'input_image', image_url: 'x' })) }],
    }),
    parse: parseResponsesRequest,
    bound: 1,
  },
  { name: 'Responses metadata', body: responsesBody({ metadata: wide(BYTES) }), parse: parseResponsesRequest, bound: 1.1 },
  {
    name: 'Responses metadata, every value wrong',
    body: responsesBody({ metadata: wide(BYTES, 1) }),
    parse: parseResponsesRequest,
    bound: 1.1,
    refused: /^metadata\.k0: Invalid input: expected string, received number$/,
  },
];

describe('wide bodies: validation costs less than JSON.parse of the body', () => {
  for (const c of cases)
    test(c.name, () => {
      const text = JSON.stringify(c.body);
      assert.ok(text.length <= 4 * 1024 * 1024, 'within maxBodyBytes');
      const { validate, parse, thrown } = costs(text, c.parse);
      for (const err of thrown)
        if (c.refused) {
          assert.ok(err instanceof Error, 'refused');
          assert.match(err.message, c.refused);
        } else assert.equal(err, undefined, 'accepted');
      assert.ok(
        validate <= c.bound * parse,
        `validation ${validate.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (bound ${c.bound}×)`,
      );
    });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { duplicateTopLevelKey } from './duplicate-keys.js';

const KEYS = ['model', 'max_tokens', 'stream'];
const governed: ReadonlySet<string> = new Set(KEYS);

test('counts top-level keys only, decoded, not names nested or inside strings', () => {
  const cases: [string, string | undefined][] = [
    ['{"max_tokens":100000,"model":"m","max_tokens":1}', 'max_tokens'],
    ['{ "model" : "a" , "stream":true, "model":"b"}', 'model'],
    ['{"max\\u005Ftokens":1,"max_tokens":2}', 'max_tokens'],
    ['{"\\u006dodel":"a","model":"b"}', 'model'],
    ['{"model":"a","x":{"model":"b"},"y":[{"model":"c"}]}', undefined],
    ['{"model":"model","x":"\\"model\\":1","max_tokens":1}', undefined],
    ['{"a\\\\":"model","model":"x","b":["model","model"]}', undefined],
    ['{"other":1,"other":2}', undefined],
    // A string ending in an escaped backslash ends at the next quote; an escaped quote does not end one.
    ['{"a":"x\\\\","model":"m","b":"\\",\\\\\\"model\\"","model":"n"}', 'model'],
    ['["model","model"]', undefined],
    ['{"model":"é\\u00e9","stream":false}', undefined],
  ];
  for (const [json, want] of cases) {
    JSON.parse(json);
    assert.equal(duplicateTopLevelKey(json, governed), want, json);
  }
});

// Reference: the body is built from its top-level pairs, so which key repeats first is known.
const spell = (name: string, mask: number) =>
  [...name].map((ch, i) => ((mask >> i) & 1 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch)).join('');
const keyName = fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom('messages', 'x', 'modelx', 'max_tokens_', 'é'));
const nested: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(...KEYS, '"model":1', '{"max_tokens":2}'),
    fc.dictionary(keyName, tie('v'), { maxKeys: 3 }),
    fc.array(tie('v'), { maxLength: 3 }),
  ),
})).v;

test('property: the scan finds exactly the first governed key repeated at the top level', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(keyName, fc.nat(31), nested, fc.constantFrom('', ' ', '\n ')), { maxLength: 8 }), (pairs) => {
      const json = `{${pairs.map(([k, mask, v, ws]) => `${ws}"${spell(k, mask)}"${ws}:${ws}${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
      JSON.parse(json);
      const seen = new Set<string>();
      let want: string | undefined;
      for (const [k] of pairs) {
        if (!KEYS.includes(k)) continue;
        if (seen.has(k)) {
          want = k;
          break;
        }
        seen.add(k);
      }
      assert.equal(duplicateTopLevelKey(json, governed), want, json);
    }),
    { numRuns: 3000 },
  );
});

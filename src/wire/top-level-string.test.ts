import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { topLevelString } from './top-level-string.js';

test('reads a top-level string, decoded, not a name nested or inside a string', () => {
  const cases: [string, string | undefined][] = [
    ['{"type":"response.create","model":"openai/gpt-4o-mini","input":"hi"}', 'openai/gpt-4o-mini'],
    [' \n{ "model" : "a" , "model":"b"}', 'a'],
    ['{"\\u006dodel":"m\\u0041"}', 'mA'],
    ['{"x":{"model":"b"},"y":[{"model":"c"}],"model":"d"}', 'd'],
    ['{"x":"\\"model\\":\\"e\\"","model":"f"}', 'f'],
    ['{"a\\\\":"model","model":"g"}', 'g'],
    ['{"x":{"model":"b"}}', undefined],
    ['{"model":5}', undefined],
    ['{"model":null,"model":"late"}', undefined],
    ['["model","x"]', undefined],
    ['"model"', undefined],
    ['', undefined],
    ['not json', undefined],
  ];
  for (const [json, want] of cases) assert.equal(topLevelString(json, 'model'), want, json);
});

test('a prefix cut anywhere, or text that is not JSON, answers undefined or the value, never throws', () => {
  const full = '{"type":"response.create","input":[{"role":"user","content":"\\"model\\":\\"x\\""}],"model":"openai/gpt-4o"}';
  for (let cut = 0; cut <= full.length; cut++) {
    const got = topLevelString(full.slice(0, cut), 'model');
    assert.ok(got === undefined || got === 'openai/gpt-4o', `cut at ${cut}: ${got}`);
  }
  assert.equal(topLevelString(full, 'model'), 'openai/gpt-4o');
  fc.assert(
    fc.property(fc.string(), (s) => {
      const got = topLevelString(s, 'model');
      assert.ok(got === undefined || typeof got === 'string');
    }),
  );
});

test('agrees with JSON.parse on any object whose top-level key is given once', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (object, model) => {
      const withModel = { ...object, model };
      const text = JSON.stringify(withModel);
      assert.equal(topLevelString(text, 'model', Infinity), model);
      assert.equal(topLevelString(JSON.stringify(withModel, null, 2), 'model', Infinity), model);
    }),
  );
});

test('at most maxLength characters of the value', () => {
  assert.equal(topLevelString(`{"model":"${'m'.repeat(300)}"}`, 'model'), 'm'.repeat(256));
});

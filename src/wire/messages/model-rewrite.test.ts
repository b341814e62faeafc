import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rewriteModel } from './model-rewrite.js';

test("only the top-level model changes; every other byte is the client's", () => {
  const body = '{ "x": {"model":"nested"}, "model" : "claude-a",\n"n": 1.50, "s":"\\"model\\":\\"y\\""}';
  assert.equal(rewriteModel(body, 'up/b'), '{ "x": {"model":"nested"}, "model" : "up/b",\n"n": 1.50, "s":"\\"model\\":\\"y\\""}');
  assert.equal(rewriteModel('{"\\u006dodel":"a"}', 'b'), '{"\\u006dodel":"b"}');
  assert.equal(rewriteModel('{"x":{"model":"a"}}', 'b'), undefined);
  assert.equal(rewriteModel('{"model":5}', 'b'), undefined);
});

test('agrees with JSON.parse: the rewritten body is the object with its model replaced', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.string(), (object, before, after) => {
      const text = JSON.stringify({ ...object, model: before });
      const rewritten = rewriteModel(text, after);
      assert.ok(rewritten !== undefined);
      assert.deepEqual(JSON.parse(rewritten), JSON.parse(JSON.stringify({ ...object, model: after })));
    }),
  );
});

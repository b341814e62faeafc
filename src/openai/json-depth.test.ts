import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exceedsDepth } from './json-depth.js';

const nested = (levels: number, open: string, close: string) => JSON.parse(`${open.repeat(levels)}${close.repeat(levels)}`);

describe('exceedsDepth', () => {
  test('counts object and array levels; scalars and the limit itself pass', () => {
    assert.equal(exceedsDepth('x', 1), false);
    assert.equal(exceedsDepth(nested(3, '[', ']'), 3), false);
    assert.equal(exceedsDepth(nested(4, '[', ']'), 3), true);
    assert.equal(exceedsDepth(JSON.parse('{"a":{"b":{"c":1}}}'), 3), false);
    assert.equal(exceedsDepth(JSON.parse('{"a":{"b":{"c":{}}}}'), 3), true);
    // A deep branch after shallow ones, in arrays and objects.
    assert.equal(exceedsDepth(JSON.parse('{"a":1,"b":[1,{"c":[2,[[]]]}]}'), 4), true);
    assert.equal(exceedsDepth(JSON.parse('{"a":1,"b":[1,{"c":[2,3]}]}'), 4), false);
    assert.equal(exceedsDepth(JSON.parse('{"__proto__":{"a":{}}}'), 2), true);
  });

  test('a 100,000-level body is refused without overflowing the stack', () => {
    assert.equal(exceedsDepth(nested(100_000, '[', ']')), true);
    assert.equal(exceedsDepth(JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`)), true);
  });
});

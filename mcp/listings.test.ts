import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/client';
import { mergeListed } from './listings.js';

const tool = (name: string, description = name): Tool => ({ name, description, inputSchema: { type: 'object' } });
const byName = (t: Tool) => t.name;

describe('mergeListed', () => {
  test('returns the previous list itself when nothing changed', () => {
    const previous = [tool('a'), tool('b')];
    assert.equal(mergeListed(previous, [tool('a'), tool('b')], byName), previous);
  });

  test('keeps unchanged objects and takes changed ones', () => {
    const previous = [tool('a'), tool('b')];
    const next = mergeListed(previous, [tool('a'), tool('b', 'new'), tool('c')], byName);
    assert.notEqual(next, previous);
    assert.equal(next[0], previous[0]);
    assert.equal(next[1]?.description, 'new');
    assert.equal(next.length, 3);
  });

  test('a removed item or a reorder is a change', () => {
    const previous = [tool('a'), tool('b')];
    assert.deepEqual(
      mergeListed(previous, [tool('a')], byName).map((t) => t.name),
      ['a'],
    );
    const reordered = mergeListed(previous, [tool('b'), tool('a')], byName);
    assert.notEqual(reordered, previous);
    assert.equal(reordered[0], previous[1]);
  });
});

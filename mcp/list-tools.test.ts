import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { listAllTools, mergeTools } from './list-tools.js';

const tool = (name: string, description = name): Tool => ({ name, description, inputSchema: { type: 'object' } });

/** A stand-in exposing only listTools, serving `pages` keyed by cursor. */
function pagedClient(pages: Record<string, { tools: Tool[]; nextCursor?: string }>) {
  const cursors: (string | undefined)[] = [];
  const client = {
    async listTools(params: { cursor?: string }) {
      cursors.push(params.cursor);
      const page = pages[params.cursor ?? ''];
      if (!page) throw new Error(`no page ${params.cursor}`);
      return page;
    },
  } as unknown as Client;
  return { client, cursors };
}

describe('listAllTools', () => {
  test('follows nextCursor until the last page', async () => {
    const { client, cursors } = pagedClient({
      '': { tools: [tool('a')], nextCursor: 'p2' },
      p2: { tools: [tool('b'), tool('c')], nextCursor: 'p3' },
      p3: { tools: [tool('d')] },
    });
    const tools = await listAllTools(client, 1_000);
    assert.deepEqual(
      tools.map((t) => t.name),
      ['a', 'b', 'c', 'd'],
    );
    assert.deepEqual(cursors, [undefined, 'p2', 'p3']);
  });

  test('stops when a server repeats a cursor', async () => {
    const { client, cursors } = pagedClient({
      '': { tools: [tool('a')], nextCursor: 'loop' },
      loop: { tools: [tool('b')], nextCursor: 'loop' },
    });
    const tools = await listAllTools(client, 1_000);
    assert.deepEqual(
      tools.map((t) => t.name),
      ['a', 'b'],
    );
    assert.equal(cursors.length, 2);
  });
});

describe('mergeTools', () => {
  test('returns the previous list itself when nothing changed', () => {
    const previous = [tool('a'), tool('b')];
    assert.equal(mergeTools(previous, [tool('a'), tool('b')]), previous);
  });

  test('keeps unchanged tool objects and takes changed ones', () => {
    const previous = [tool('a'), tool('b')];
    const next = mergeTools(previous, [tool('a'), tool('b', 'new'), tool('c')]);
    assert.notEqual(next, previous);
    assert.equal(next[0], previous[0]);
    assert.equal(next[1]?.description, 'new');
    assert.equal(next.length, 3);
  });

  test('a removed tool or a reorder is a change', () => {
    const previous = [tool('a'), tool('b')];
    assert.deepEqual(
      mergeTools(previous, [tool('a')]).map((t) => t.name),
      ['a'],
    );
    const reordered = mergeTools(previous, [tool('b'), tool('a')]);
    assert.notEqual(reordered, previous);
    assert.equal(reordered[0], previous[1]);
  });
});

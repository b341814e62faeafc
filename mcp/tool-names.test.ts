import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildNameTable, MAX_TOOL_NAME_LENGTH, toolName } from './tool-names.js';

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

describe('toolName', () => {
  test('joins server and tool with a double underscore', () => {
    assert.equal(toolName('docs', 'search'), 'docs__search');
  });

  test('replaces characters OpenAI rejects with "_"', () => {
    assert.equal(toolName('docs', 'search.v2/all tools'), 'docs__search_v2_all_tools');
    assert.equal(toolName('fs', 'lire-fichier_é'), 'fs__lire-fichier__');
  });

  test('shortens long names to 64 chars with a hash of the full name, deterministically', () => {
    const long = 'x'.repeat(100);
    const a = toolName('docs', long);
    assert.equal(a.length, MAX_TOOL_NAME_LENGTH);
    assert.match(a, /^docs__x+_[0-9a-f]{8}$/);
    assert.equal(toolName('docs', long), a);
    // Same 55-char prefix, different tails: different names.
    assert.notEqual(toolName('docs', `${long}a`), toolName('docs', `${long}b`));
  });

  test('a name of exactly 64 characters is kept', () => {
    const tool = 'y'.repeat(64 - 'docs__'.length);
    assert.equal(toolName('docs', tool), `docs__${tool}`);
  });

  test('always produces a valid OpenAI function name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.string({ maxLength: 120 }), (server, tool) => {
        assert.match(toolName(server, tool), VALID);
      }),
    );
  });
});

describe('buildNameTable', () => {
  test('maps gateway names back to server and tool', () => {
    const table = buildNameTable([
      { server: 'docs', tool: 'search' },
      { server: 'fs', tool: 'read' },
    ]);
    assert.deepEqual(table.get('docs__search'), { server: 'docs', tool: 'search' });
    assert.deepEqual(table.get('fs__read'), { server: 'fs', tool: 'read' });
    assert.equal(table.size, 2);
  });

  test('keeps names unique when sanitising collides; the unchanged name keeps its name', () => {
    const entries = [
      { server: 'a', tool: 'x.y' },
      { server: 'a', tool: 'x_y' },
      { server: 'a', tool: 'x y' },
    ];
    const table = buildNameTable(entries);
    assert.equal(table.size, 3);
    assert.deepEqual(table.get('a__x_y'), { server: 'a', tool: 'x_y' });
    for (const name of table.keys()) assert.match(name, VALID);
    // Order of the input does not change the result.
    assert.deepEqual([...buildNameTable([...entries].reverse())].sort(), [...table].sort());
  });

  test('keeps names unique when two long names share their prefix', () => {
    const p = 'p'.repeat(80);
    const table = buildNameTable([
      { server: 's', tool: `${p}1` },
      { server: 's', tool: `${p}2` },
    ]);
    assert.equal(table.size, 2);
  });

  test('any set of tools gets unique valid names, one per distinct tool', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ server: fc.constantFrom('a', 'b-c'), tool: fc.string({ maxLength: 70 }) }), { maxLength: 30 }),
        (entries) => {
          const table = buildNameTable(entries);
          const distinct = new Set(entries.map((e) => `${e.server}\u0000${e.tool}`));
          assert.equal(table.size, distinct.size);
          for (const name of table.keys()) assert.match(name, VALID);
        },
      ),
    );
  });
});

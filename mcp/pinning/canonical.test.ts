import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalDefinition, canonicalJson } from './canonical.js';

test('key order does not change the canonical form or the hash', () => {
  const a = canonicalDefinition({
    name: 't',
    description: 'd',
    inputSchema: { type: 'object', properties: { x: { type: 'string', description: 'x' } } },
  });
  const b = canonicalDefinition({
    inputSchema: { properties: { x: { description: 'x', type: 'string' } }, type: 'object' },
    description: 'd',
    name: 't',
  });
  assert.equal(a.json, b.json);
  assert.equal(a.hash, b.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
});

test('description, schema and annotations are pinned; other fields are not', () => {
  const base = { name: 't', description: 'd', inputSchema: { type: 'object' as const } };
  const h = canonicalDefinition(base).hash;
  assert.notEqual(canonicalDefinition({ ...base, description: 'd2' }).hash, h);
  assert.notEqual(canonicalDefinition({ ...base, inputSchema: { type: 'object', properties: { y: {} } } }).hash, h);
  assert.notEqual(canonicalDefinition({ ...base, annotations: { destructiveHint: true } }).hash, h);
  assert.equal(canonicalDefinition({ ...base, _meta: { x: 1 } }).hash, h);
});

test('canonicalJson sorts nested keys and keeps array order', () => {
  assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
});

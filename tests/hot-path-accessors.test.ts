// No getter or setter in an object literal on the request path. On Node 20 (V8 11.3) an object
// literal with an accessor is built property by property through the runtime and left in dictionary
// mode: a loop state of ~35 fields so built took 1.9 KB instead of 0.4 KB, ~2.5 µs to build and use
// instead of ~0.4 µs, and every later read of it was a hash lookup (bench/README.md, issue 20).
// Chat's, Messages' and Responses' loop states each were one, per request, for a lazy `signal`
// getter (now `cancel`, read through abortSignalOf where an AbortSignal is needed). Putting the
// getter on a shared prototype instead (Object.setPrototypeOf) is worse: properties added to such
// an object later get a map per object. Use a class, or no accessor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { hotFiles, inObjectLiterals, root } from './hot-path-source.js';

/**
 * Folders on the request path of the chat, Messages, Responses and /mcp surfaces. Not src/ledger/:
 * its objects with accessors are built once per process (the writer).
 */
const HOT = [
  'src/chat/',
  'src/messages/',
  'src/responses/',
  'src/routes/',
  'src/upstream/',
  'src/governance/',
  'src/wire/',
  'src/openai/',
  'src/metrics/',
  'providers/',
  'mcp/',
];

/** `file:line` of every object literal with a get or set accessor (class accessors are fine). */
export const accessorLiterals = (file: string, text: string): string[] =>
  inObjectLiterals(file, text, (lit) => lit.properties.filter((p) => ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)));

test('the checker finds accessors in object literals, and lets class accessors and methods through', () => {
  const text = [
    'const a = { x: 1, get y() { return 1; } };',
    'const b = { set z(v) {} };',
    'class C { get y() { return 1; } }',
    'const d = { m() { return 1; }, f: () => 1 };',
    'const e = f({\n  x,\n  get s() { return 2; },\n});',
  ].join('\n');
  assert.deepEqual(
    accessorLiterals('t.ts', text).map((s) => s.split(':').slice(0, 2).join(':')),
    ['t.ts:1', 't.ts:2', 't.ts:7'],
  );
});

test('no object literal on the request path has a getter or setter', () => {
  const files = hotFiles(HOT);
  assert.ok(files.length > 100, `hot-path files found: ${files.length}`);
  const found = files.flatMap((f) => accessorLiterals(f, readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(found, [], `use a class, or no accessor:\n${found.join('\n')}`);
});

// No `{ ...a, more }` on the request path. On Node 20 (V8 11.3), an object literal that starts with a
// spread and then adds anything (`{ ...a, x }`, `{ ...a, ...b }`) is cloned with a map that has no
// place in V8's transition tree, so once the code is optimised every such object gets new maps of
// its own. Checked with `node --allow-natives-syntax`: over 200,000 calls of
// `(b, i) => ({ ...b, x: i })`, 199,992 consecutive results had different maps (%HaveSameMap);
// `Object.assign({}, b, { x: i })` and a plain literal had none. Each new map is allocated in old space
// (it stays until a full GC, so the heap grows under load) and every later read of the object is a
// megamorphic lookup. Per-request objects built so cost 0.4–60 µs each in the gateway's profiles
// (issue 20; bench/README.md). `{ ...a }` alone, or a literal that starts with a property and
// spreads later, keeps shared maps.
//
// This test parses the files that run per request or per tool call and fails on such a literal,
// with its line. Use Object.assign({}, a, { more }) there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { hotFiles, inObjectLiterals, root } from './hot-path-source.js';

/** Folders and files on the request path of the chat, Messages, Responses and /mcp surfaces. */
const HOT = [
  'src/chat/',
  'src/routes/node-hot-routes.ts',
  'src/routes/node-request.ts',
  'src/routes/messages.ts',
  'src/messages/native-codec.ts',
  'src/messages/native-run.ts',
  'src/messages/relay.ts',
  'src/messages/handler.ts',
  'src/responses/',
  'src/openai/fast-chat-request.ts',
  'src/wire/loose-copy.ts',
  'src/wire/duplicate-keys.ts',
  'src/wire/messages/fast-request.ts',
  'src/wire/responses/fast-request.ts',
  'src/openai/json-depth.ts',
  'src/openai/sse.ts',
  'src/wire/messages/to-chat-stream.ts',
  'src/wire/responses/native-turn.ts',
  'src/governance/charge.ts',
  'src/governance/output-cap.ts',
  'src/governance/tools-header.ts',
  'src/governance/gate.ts',
  'src/upstream/',
  'src/metrics/',
  'providers/openai/',
  'providers/anthropic/',
  'mcp/upstream-call.ts',
  'mcp/server/tool-handlers.ts',
  'mcp/server/tool-results.ts',
];

/** `file:line` of every object literal that starts with a spread and has more after it. */
export const spreadFirstLiterals = (file: string, text: string): string[] =>
  inObjectLiterals(file, text, (lit) => (lit.properties.length > 1 && ts.isSpreadAssignment(lit.properties[0]!) ? [lit] : []));

test('the checker finds spread-first literals that go on, and lets the others through', () => {
  const text = [
    'const a = { ...b, x: 1 };',
    'const c = { ...b, ...d };',
    'const e = { ...b };',
    'const f = { x: 1, ...b };',
    'const g = Object.assign({}, b, { x: 1 });',
    'const h = f({\n  ...b,\n  y,\n});',
  ].join('\n');
  assert.deepEqual(
    spreadFirstLiterals('t.ts', text).map((s) => s.split(':').slice(0, 2).join(':')),
    ['t.ts:1', 't.ts:2', 't.ts:6'],
  );
});

test('no object literal on the request path starts with a spread and goes on', () => {
  const files = hotFiles(HOT);
  assert.ok(files.length > 40, `hot-path files found: ${files.length}`);
  const found = files.flatMap((f) => spreadFirstLiterals(f, readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(found, [], `use Object.assign({}, a, { more }) instead:\n${found.join('\n')}`);
});

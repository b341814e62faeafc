import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { compileArguments, parseArguments } from './arguments.js';

// First in this file (node:test runs a file's tests in order, each file in its own process), so
// nothing else here has compiled a 2019-09 or 2020-12 schema yet.
test('a dialect ajv is loaded only when a schema of that dialect is compiled (issue 20: memory)', () => {
  const loaded = (file: string) => Object.keys(createRequire(import.meta.url).cache).some((path) => path.endsWith(file));
  assert.equal(compileArguments({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }).skipped, undefined);
  assert.ok(loaded('/ajv/dist/ajv.js'));
  assert.equal(loaded('/ajv/dist/2019.js'), false);
  assert.equal(loaded('/ajv/dist/2020.js'), false);
  assert.equal(compileArguments({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }).skipped, undefined);
  assert.ok(loaded('/ajv/dist/2020.js'));
  assert.equal(loaded('/ajv/dist/2019.js'), false);
});

const addSchema = {
  type: 'object',
  properties: { a: { type: 'number' }, b: { type: 'number' }, opts: { type: 'object', properties: { mode: { enum: ['x', 'y'] } } } },
  required: ['a', 'b'],
  additionalProperties: false,
};

describe('parseArguments', () => {
  test('parses JSON text, treats empty or missing as {}', () => {
    assert.deepEqual(parseArguments('{"a":1}'), { ok: true, value: { a: 1 } });
    assert.deepEqual(parseArguments(''), { ok: true, value: {} });
    assert.deepEqual(parseArguments('  '), { ok: true, value: {} });
    assert.deepEqual(parseArguments(undefined), { ok: true, value: {} });
    assert.deepEqual(parseArguments({ a: 1 }), { ok: true, value: { a: 1 } });
  });

  test('rejects invalid JSON and non-objects', () => {
    const bad = parseArguments('{"a":');
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /not valid JSON/);
    for (const input of ['[1]', '3', 'null', '"x"']) {
      const r = parseArguments(input);
      assert.equal(r.ok, false, input);
    }
  });
});

describe('compileArguments', () => {
  test('accepts valid arguments', () => {
    assert.deepEqual(compileArguments(addSchema).validate('{"a":1,"b":2}'), { ok: true, value: { a: 1, b: 2 } });
  });

  test('names the field that is wrong, missing or extra', () => {
    const v = compileArguments(addSchema);
    const wrong = v.validate('{"a":"one","b":2}');
    assert.equal(wrong.ok, false);
    assert.match(!wrong.ok ? wrong.message : '', /a: must be number/);
    const missing = v.validate({ a: 1 });
    assert.match(!missing.ok ? missing.message : '', /b: is required/);
    const extra = v.validate({ a: 1, b: 2, c: 3 });
    assert.match(!extra.ok ? extra.message : '', /c: is not allowed/);
    const nested = v.validate({ a: 1, b: 2, opts: { mode: 'z' } });
    assert.match(!nested.ok ? nested.message : '', /opts\.mode: must be one of "x", "y"/);
  });

  test('invalid JSON fails before schema validation', () => {
    const r = compileArguments(addSchema).validate('{oops');
    assert.match(!r.ok ? r.message : '', /not valid JSON/);
  });

  test('compiles once per schema object', () => {
    assert.equal(compileArguments(addSchema), compileArguments(addSchema));
  });

  test('understands draft 2020-12 schemas (zod 4 output)', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { n: { type: 'integer' } },
      required: ['n'],
    };
    const v = compileArguments(schema);
    assert.equal(v.skipped, undefined);
    assert.equal(v.validate({ n: 1.5 }).ok, false);
    assert.equal(v.validate({ n: 2 }).ok, true);
  });

  test('unknown formats do not break compilation', () => {
    const v = compileArguments({ type: 'object', properties: { u: { type: 'string', format: 'my-format' } } });
    assert.equal(v.skipped, undefined);
    assert.equal(v.validate({ u: 'anything' }).ok, true);
  });

  test('a schema ajv cannot compile skips validation and says why, without throwing', () => {
    const v = compileArguments({ type: 'object', properties: { a: { $ref: '#/definitions/missing' } } });
    assert.match(v.skipped ?? '', /could not be compiled/);
    assert.deepEqual(v.validate('{"a":1}'), { ok: true, value: { a: 1 } });
    assert.equal(v.validate('[1]').ok, false);
  });

  test('a schema with an $id can be compiled again after it changes', () => {
    const one = compileArguments({ $id: 'https://example.com/t.json', type: 'object', required: ['a'] });
    const two = compileArguments({ $id: 'https://example.com/t.json', type: 'object', required: ['b'] });
    assert.equal(one.skipped, undefined);
    assert.equal(two.skipped, undefined);
    assert.equal(two.validate({ a: 1 }).ok, false);
  });
});

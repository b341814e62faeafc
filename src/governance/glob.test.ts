import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileGlob, compileGlobs, globCanMatchUnder } from './glob.js';

describe('compileGlobs', () => {
  test('* spans any characters, ? exactly one, matching is anchored', () => {
    const m = compileGlobs(['openai/*', 'anthropic/claude-?']);
    assert.equal(m('openai/gpt-4o-mini'), true);
    assert.equal(m('anthropic/claude-3'), true);
    assert.equal(m('anthropic/claude-35'), false);
    assert.equal(m('xopenai/gpt'), false);
    assert.equal(m('local/openai/x'), false);
  });

  test('regex metacharacters are literal', () => {
    const m = compileGlobs(['a.b+(c)']);
    assert.equal(m('a.b+(c)'), true);
    assert.equal(m('aXb+(c)'), false);
    assert.equal(m('a.bb(c)'), false);
  });

  test('server__* covers all tools of a server and nothing else', () => {
    const m = compileGlobs(['everything__*']);
    assert.equal(m('everything__echo'), true);
    assert.equal(m('everything2__echo'), false);
  });

  test('empty list matches nothing; "*" matches everything', () => {
    assert.equal(compileGlobs([])('anything'), false);
    assert.equal(compileGlobs(['*'])(''), true);
  });

  test('a newline cannot escape a pattern', () => {
    assert.equal(compileGlob('docs__*')('docs__a\nb'), true);
    assert.equal(compileGlob('docs__a')('docs__a\n'), false);
    assert.equal(compileGlob('docs__?')('docs__\n'), true);
  });

  test('agrees with a reference matcher on any glob and name', () => {
    const alphabet = fc.constantFrom('a', 'b', '_', '*', '?');
    const name = fc.array(fc.constantFrom('a', 'b', '_'), { maxLength: 12 }).map((a) => a.join(''));
    const glob = fc.array(alphabet, { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(glob, name, (g, n) => compileGlob(g)(n) === reference(g, n) && compileGlobs([g, 'zz'])(n) === reference(g, n)),
      { numRuns: 5000 },
    );
    // Segments longer than one 32-bit word of the shift-and state.
    const long = `${'a?'.repeat(40)}b`;
    assert.equal(compileGlob(`*${long}*`)(`x${'ab'.repeat(40)}by`), true);
    assert.equal(compileGlob(`*${long}*`)(`x${'ab'.repeat(39)}by`), false);
  });

  test('hostile globs stay linear: a star bomb against a long near-miss name', () => {
    const name = 'a'.repeat(100_000);
    // A backtracking matcher does not finish these (each star multiplies its work by ~7).
    for (const g of [`${'*'.repeat(200)}#`, `${'*a'.repeat(100)}#`, `${'*?'.repeat(100)}#`, `*${'a?'.repeat(60)}#*`])
      assert.equal(compileGlob(g)(name), false, g);
  });
});

/** Dynamic programming over (glob position, name position): obviously right, O(n·m). */
function reference(glob: string, name: string): boolean {
  let row = new Array<boolean>(name.length + 1).fill(false);
  row[0] = true;
  for (const ch of glob) {
    const next = new Array<boolean>(name.length + 1).fill(false);
    if (ch === '*') {
      let any = false;
      for (let j = 0; j <= name.length; j++) next[j] = any = any || row[j]!;
    } else for (let j = 1; j <= name.length; j++) next[j] = row[j - 1]! && (ch === '?' || name[j - 1] === ch);
    row = next;
  }
  return row[name.length]!;
}

describe('globCanMatchUnder', () => {
  test('tells whether any name under a prefix can match', () => {
    assert.equal(globCanMatchUnder('openai/*', 'openai/'), true);
    assert.equal(globCanMatchUnder('openai/*', 'anthropic/'), false);
    assert.equal(globCanMatchUnder('*', 'anthropic/'), true);
    assert.equal(globCanMatchUnder('*/gpt-4o', 'local/'), true);
    assert.equal(globCanMatchUnder('open*', 'openai/'), true);
    assert.equal(globCanMatchUnder('o?enai/x', 'openai/'), true);
    assert.equal(globCanMatchUnder('anthropic/claude-*', 'anthropic/'), true);
    // Matches the prefix exactly, but leaves no room for a model name.
    assert.equal(globCanMatchUnder('openai/', 'openai/'), false);
  });
});

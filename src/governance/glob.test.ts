import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlobs, globCanMatchUnder, globToRegExp } from './glob.js';

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
    assert.equal(globToRegExp('docs__*').test('docs__a\nb'), true);
    assert.equal(globToRegExp('docs__a').test('docs__a\n'), false);
  });
});

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

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, parseFilters, withQuery } from './filters.js';

describe('dashboard filters', () => {
  test('empty fields are no filter; values are trimmed', () => {
    assert.deepEqual(parseFilters({ key: '  ', team: ' eng ', model: '' }), {
      key: undefined,
      team: 'eng',
      model: undefined,
      status: undefined,
      hasTools: undefined,
      from: undefined,
      to: undefined,
      idPrefix: undefined,
      before: undefined,
    });
  });

  test('status accepts ok, error or an HTTP code, nothing else', () => {
    assert.equal(parseFilters({ status: 'ok' }).status, 'ok');
    assert.equal(parseFilters({ status: '429' }).status, '429');
    assert.equal(parseFilters({ status: '1 OR 1=1' }).status, undefined);
    assert.equal(parseFilters({ status: '42' }).status, undefined);
  });

  test('tool filter and request-id search', () => {
    assert.equal(parseFilters({ tools: 'yes' }).hasTools, true);
    assert.equal(parseFilters({ tools: 'no' }).hasTools, false);
    assert.equal(parseFilters({ tools: 'maybe' }).hasTools, undefined);
    assert.equal(parseFilters({ q: ' ABC-12 ' }).idPrefix, 'abc-12');
  });

  test('time inputs are UTC; garbage is dropped', () => {
    assert.equal(parseFilters({ from: '2025-01-31T10:00' }).from, Date.UTC(2025, 0, 31, 10));
    assert.equal(parseFilters({ to: '2025-01-31' }).to, Date.UTC(2025, 0, 31));
    assert.equal(parseFilters({ from: 'yesterday' }).from, undefined);
  });

  test('cursor round-trips and rejects junk', () => {
    const c = encodeCursor({ ts: 1700000000000, id: 'a.b-c' });
    assert.deepEqual(decodeCursor(c), { ts: 1700000000000, id: 'a.b-c' });
    assert.equal(decodeCursor('nope'), undefined);
    assert.equal(parseFilters({ before: c }).before?.id, 'a.b-c');
  });

  test('withQuery keeps filters and replaces the cursor', () => {
    assert.equal(withQuery({ key: 'k1', before: 'x', team: '' }, { before: '5.id' }), '?key=k1&before=5.id');
    assert.equal(withQuery({}, {}), '');
  });
});

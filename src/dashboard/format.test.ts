import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCost, formatMs, formatTime, prettyJson } from './format.js';

describe('dashboard format', () => {
  test('unknown cost is flagged, never $0', () => {
    assert.equal(formatCost(null), 'unknown');
    assert.equal(formatCost(0), '$0');
    assert.equal(formatCost(0.5, true), '$0.5000 + unknown');
    assert.equal(formatCost(0.000123), '$0.000123');
  });
  test('times are UTC, latencies readable', () => {
    assert.equal(formatTime(Date.UTC(2025, 0, 31, 10, 5, 7)), '2025-01-31 10:05:07');
    assert.equal(formatMs(12.4), '12 ms');
    assert.equal(formatMs(12_500), '12.5 s');
    assert.equal(formatMs(null), '—');
  });
  test('prettyJson indents JSON and leaves text alone', () => {
    assert.equal(prettyJson('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(prettyJson('not json'), 'not json');
  });
});

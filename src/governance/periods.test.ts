import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { periodBounds } from './periods.js';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const bounds = (p: Parameters<typeof periodBounds>[0], at: string) => {
  const b = periodBounds(p, t(at));
  return [iso(b.start), iso(b.end)];
};

describe('periodBounds (UTC calendar)', () => {
  test('day', () => {
    assert.deepEqual(bounds('day', '2025-03-09T23:59:59.999Z'), ['2025-03-09T00:00:00.000Z', '2025-03-10T00:00:00.000Z']);
    assert.deepEqual(bounds('day', '2025-03-10T00:00:00.000Z'), ['2025-03-10T00:00:00.000Z', '2025-03-11T00:00:00.000Z']);
  });

  test('week starts Monday 00:00 UTC (ISO)', () => {
    // 2025-03-09 is a Sunday: still the week of Monday 2025-03-03.
    assert.deepEqual(bounds('week', '2025-03-09T23:00:00.000Z'), ['2025-03-03T00:00:00.000Z', '2025-03-10T00:00:00.000Z']);
    assert.deepEqual(bounds('week', '2025-03-10T00:00:00.000Z'), ['2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z']);
    assert.deepEqual(bounds('week', '2025-01-01T12:00:00.000Z'), ['2024-12-30T00:00:00.000Z', '2025-01-06T00:00:00.000Z']);
  });

  test('month, including December and leap February', () => {
    assert.deepEqual(bounds('month', '2024-12-31T23:59:59.999Z'), ['2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
    assert.deepEqual(bounds('month', '2024-02-29T10:00:00.000Z'), ['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
  });

  test('none is all time', () => {
    assert.deepEqual(periodBounds('none', t('2025-03-09T10:00:00Z')), { start: 0, end: null });
  });
});

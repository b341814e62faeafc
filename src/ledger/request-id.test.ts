import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRequestId } from './request-id.js';

describe('newRequestId', () => {
  it('is an RFC 9562 UUIDv7 holding the time in ms', () => {
    const id = newRequestId(0x0192_3456_789a);
    assert.match(id, /^01923456-789a-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by time, so ledger rows append to the request-id indexes instead of landing at random', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_255, 1_800_000_000_000].map((t) => newRequestId(t));
    assert.deepEqual([...ids].sort(), ids);
  });

  it('keeps the random part distinct within one ms', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRequestId(1_700_000_000_000)));
    assert.equal(ids.size, 1000);
  });
});

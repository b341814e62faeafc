import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidV4, uuidV7 } from './uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid', () => {
  it('uuidV4 has crypto.randomUUID()’s form: version 4, RFC variant, lowercase 8-4-4-4-12', () => {
    for (let i = 0; i < 1000; i++) assert.match(uuidV4(), V4);
  });

  it('ids stay distinct across pool refills (256 ids per draw), and each is its own string', () => {
    const ids = Array.from({ length: 2000 }, () => uuidV4());
    assert.equal(new Set(ids).size, 2000);
    // The scratch buffer is reused: an id handed out earlier must not change with the next ones.
    const first = uuidV4();
    const copy = `${first}`;
    uuidV4();
    uuidV7(1_700_000_000_000);
    assert.equal(first, copy);
  });

  it('every random hex digit takes every value (no byte dropped or repeated in the layout)', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const id = uuidV4();
      for (let at = 0; at < id.length; at++) seen[at]!.add(id[at]!);
    }
    const fixed = new Map([
      [8, '-'],
      [13, '-'],
      [14, '4'],
      [18, '-'],
      [23, '-'],
    ]);
    seen.forEach((chars, at) => {
      if (fixed.has(at)) assert.deepEqual([...chars], [fixed.get(at)]);
      else assert.equal(chars.size, at === 19 ? 4 : 16, `position ${at}`);
    });
  });

  it('uuidV7 holds the time in ms in its first 48 bits, then version 7 and the variant', () => {
    assert.match(uuidV7(0x0192_3456_789a), /^01923456-789a-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(uuidV7(0), /^00000000-0000-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(uuidV7(2 ** 48 - 1), /^ffffffff-ffff-7/);
    const ms = 1_764_500_000_123;
    assert.equal(uuidV7(ms).replace('-', '').slice(0, 12), ms.toString(16).padStart(12, '0'));
  });
});

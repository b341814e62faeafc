import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LiveEntry, LiveList } from './live-list.js';

interface Item extends LiveEntry {
  n: number;
}
const item = (n: number): Item => ({ n, livePrev: undefined, liveNext: undefined, listed: false });

test('LiveList: adds and removes in any order, a second add or remove of an entry changes nothing', () => {
  const list = new LiveList<Item>();
  const items = [1, 2, 3, 4, 5].map(item);
  for (const i of items) list.add(i);
  list.add(items[0]!);
  assert.equal(list.size, 5);
  assert.deepEqual(
    list.values().map((i) => i.n),
    [5, 4, 3, 2, 1],
  );
  assert.equal(list.remove(items[2]!), true);
  assert.equal(list.remove(items[2]!), false);
  assert.equal(list.remove(items[4]!), true); // the head
  assert.equal(list.remove(items[0]!), true); // the tail
  assert.deepEqual(
    list.values().map((i) => i.n),
    [4, 2],
  );
  assert.equal(list.size, 2);
  list.clear();
  assert.equal(list.size, 0);
  assert.deepEqual(list.values(), []);
  assert.equal(items[1]!.listed, false);
  list.add(items[1]!);
  assert.deepEqual(
    list.values().map((i) => i.n),
    [2],
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { FairQueue } from './fair-queue.js';

/** A queue and the order in which calls got their slot (labels). */
function setUp(limit: number) {
  const q = new FairQueue(limit);
  const order: string[] = [];
  const call = (key: string, label: string, signal = new AbortController().signal): Promise<boolean> => {
    const turn = q.acquire(key, signal);
    if (turn === true) order.push(label);
    if (typeof turn === 'boolean') return Promise.resolve(turn);
    return turn.then((granted) => {
      if (granted) order.push(label);
      return granted;
    });
  };
  const keysKept = () => (q as unknown as { keys: Map<string, unknown> }).keys.size;
  return { q, order, call, keysKept };
}

test('up to the limit run at once; the rest wait and go as slots come back', async () => {
  const { q, order, call } = setUp(2);
  for (const l of ['a0', 'a1', 'a2', 'a3']) void call('a', l);
  assert.deepEqual(order, ['a0', 'a1']);
  assert.equal(q.taken, 2);
  assert.equal(q.waiting, 2);
  q.release('a');
  await tick();
  assert.deepEqual(order, ['a0', 'a1', 'a2']);
  q.release('a');
  q.release('a');
  await tick();
  assert.deepEqual(order, ['a0', 'a1', 'a2', 'a3']);
  assert.equal(q.waiting, 0);
});

test("a key's queued calls never go ahead of another key's first", async () => {
  const { q, order, call } = setUp(1);
  for (let i = 0; i < 10; i++) void call('hog', `hog${i}`);
  void call('other', 'other');
  assert.deepEqual(order, ['hog0']);
  q.release('hog');
  await tick();
  assert.deepEqual(order, ['hog0', 'other'], 'the other key goes right after the call running');
  // Also once the hog's calls have been going for a while.
  for (let i = 0; i < 3; i++) {
    q.release(order.at(-1)!.startsWith('hog') ? 'hog' : 'other');
    await tick();
  }
  void call('late', 'late');
  q.release('hog');
  await tick();
  assert.deepEqual(order, ['hog0', 'other', 'hog1', 'hog2', 'hog3', 'late']);
});

test('keys with calls queued take turns, one call each', async () => {
  const { q, order, call } = setUp(1);
  for (const l of ['a0', 'a1', 'a2', 'a3']) void call('a', l);
  for (const l of ['b0', 'b1', 'b2']) void call('b', l);
  for (const l of ['c0', 'c1']) void call('c', l);
  for (let i = 0; i < 8; i++) {
    q.release(order.at(-1)!.slice(0, 1));
    await tick();
  }
  assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
});

test('a key that calls again as soon as its call ends does not get ahead of one that waits', async () => {
  const { q, order, call } = setUp(1);
  void call('a', 'a0');
  void call('b', 'b0');
  void call('b', 'b1');
  q.release('a');
  await tick();
  void call('a', 'a1');
  q.release('b');
  await tick();
  assert.deepEqual(order, ['a0', 'b0', 'b1']);
  q.release('b');
  await tick();
  assert.deepEqual(order, ['a0', 'b0', 'b1', 'a1']);
});

test('a call whose signal aborts leaves the queue at once and never gets a slot', async () => {
  const { q, order, call, keysKept } = setUp(1);
  void call('a', 'a0');
  const ctl = new AbortController();
  const waiting = call('b', 'b0', ctl.signal);
  void call('c', 'c0');
  assert.equal(q.waiting, 2);
  ctl.abort();
  assert.equal(await waiting, false);
  assert.equal(q.waiting, 1);
  q.release('a');
  await tick();
  assert.deepEqual(order, ['a0', 'c0']);
  q.release('c');
  assert.equal(q.taken, 0);
  assert.equal(keysKept(), 0, 'an idle queue remembers no key');
  // Already aborted: refused at once, nothing held.
  assert.equal(q.acquire('d', AbortSignal.abort()), false);
  assert.equal(q.taken, 0);
});

test('removal from the middle of a long queue keeps the order of the rest', async () => {
  const { q, order, call } = setUp(1);
  void call('k0', 'first');
  const controllers = new Map<string, AbortController>();
  for (let k = 0; k < 6; k++)
    for (let i = 0; i < 3; i++) {
      const ctl = new AbortController();
      controllers.set(`k${k}-${i}`, ctl);
      void call(`k${k}`, `k${k}-${i}`, ctl.signal);
    }
  for (const label of ['k2-0', 'k0-1', 'k5-2', 'k3-1']) controllers.get(label)!.abort();
  await tick();
  while (q.waiting > 0) {
    q.release(order.at(-1)!.split('-')[0]!.replace('first', 'k0'));
    await tick();
  }
  assert.deepEqual(order, [
    'first',
    ...['k1-0', 'k3-0', 'k4-0', 'k5-0'],
    ...['k0-0', 'k1-1', 'k2-1', 'k4-1', 'k5-1'],
    ...['k1-2', 'k2-2', 'k3-2', 'k4-2'],
    'k0-2',
  ]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { FairQueue } from './fair-queue.js';

/** A queue and the order in which calls got their slot (labels). */
function setUp(limit: number) {
  const q = new FairQueue(limit);
  const order: string[] = [];
  const call = (key: string, label: string, signal = new AbortController().signal, team: string | null = null): Promise<boolean> => {
    const turn = q.acquire(key, signal, team);
    if (turn === true) order.push(label);
    if (typeof turn === 'boolean') return Promise.resolve(turn);
    return turn.then((granted) => {
      if (granted) order.push(label);
      return granted;
    });
  };
  const keysKept = () => {
    const maps = q as unknown as { teams: Map<string, unknown>; solos: Map<string, unknown> };
    return maps.teams.size + maps.solos.size;
  };
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

/** Labels `<team>.<key>-<n>` (team `-`: none); releases the slot of the call that went last. */
function teamed(limit: number) {
  const setup = setUp(limit);
  const parse = (label: string) => {
    const [team, rest] = label.split('.') as [string, string];
    return { team: team === '-' ? null : team, key: rest.split('-')[0]! };
  };
  const send = (label: string, signal?: AbortSignal) => {
    const { team, key } = parse(label);
    return setup.call(key, label, signal, team);
  };
  const finish = async (label = setup.order.at(-1)!) => {
    const { team, key } = parse(label);
    setup.q.release(key, team);
    await tick();
  };
  return { ...setup, send, finish };
}

test("a team's many keys share one turn: another team's one key, and a key without a team, each get as many", async () => {
  const { q, order, send, finish, keysKept } = teamed(1);
  // Team A floods from four keys, three calls each; then team B's one key and a key without a team.
  for (let n = 0; n < 3; n++) for (const k of ['a1', 'a2', 'a3', 'a4']) void send(`A.${k}-${n}`);
  for (let n = 0; n < 2; n++) void send(`B.b1-${n}`);
  for (let n = 0; n < 2; n++) void send(`-.solo-${n}`);
  assert.deepEqual(order, ['A.a1-0']);
  while (q.waiting > 0) await finish();
  await finish();
  assert.deepEqual(order, [
    'A.a1-0',
    ...['B.b1-0', '-.solo-0', 'A.a2-0'],
    ...['B.b1-1', '-.solo-1', 'A.a3-0'],
    // Alone now, team A's keys still take turns within it.
    ...['A.a4-0', 'A.a1-1', 'A.a2-1', 'A.a3-1', 'A.a4-1', 'A.a1-2', 'A.a2-2', 'A.a3-2', 'A.a4-2'],
  ]);
  assert.equal(q.taken, 0);
  assert.equal(keysKept(), 0, 'an idle queue remembers no tenant');
});

test('a team that starts calling goes right after the call running, however many keys another team queued from', async () => {
  const { order, send, finish } = teamed(1);
  for (let n = 0; n < 2; n++) for (let k = 0; k < 10; k++) void send(`A.k${k}-${n}`);
  for (let i = 0; i < 4; i++) await finish();
  assert.deepEqual(order, ['A.k0-0', 'A.k1-0', 'A.k2-0', 'A.k3-0', 'A.k4-0']);
  void send('B.b-0');
  void send('B.b-1');
  await finish();
  assert.deepEqual(order.slice(5), ['B.b-0']);
  await finish();
  await finish();
  assert.deepEqual(order.slice(5), ['B.b-0', 'A.k5-0', 'B.b-1'], "then one of team A's, one of B's");
});

test("a call cancelled in a team gives up one of the team's turns; the rest keep their order", async () => {
  const { q, order, send, finish, keysKept } = teamed(1);
  void send('A.x-0');
  const ctl = new AbortController();
  void send('A.x-1');
  void send('A.y-0', ctl.signal);
  void send('A.y-1');
  void send('B.b-0');
  void send('B.b-1');
  void send('B.b-2');
  ctl.abort();
  await tick();
  assert.equal(q.waiting, 5);
  while (q.waiting > 0) await finish();
  await finish();
  // A's turns were rounds 1, 2 and 3 (its first call ran in round 0), one per waiting call in
  // arrival order: y-0, second, gave up round 2. B's were 0, 1 and 2.
  assert.deepEqual(order, ['A.x-0', 'B.b-0', 'A.x-1', 'B.b-1', 'B.b-2', 'A.y-1']);
  assert.equal(keysKept(), 0);
});

test('random calls, cancels and releases across teams: every call settles, each tenant holds a turn per waiting call, nothing is kept', async () => {
  // mulberry32: a fixed sequence, so that a failure repeats.
  let seed = 7;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  type Internals = { queue: { items: { tags: number[]; seqs: number[]; waiting: { size: number } }[] } };
  for (const limit of [1, 2, 3]) {
    const { q, keysKept } = setUp(limit);
    const running: [string, string | null][] = [];
    const waiting = new Set<AbortController>();
    let settled = 0;
    let sent = 0;
    for (let step = 0; step < 2_000; step++) {
      const op = random(10);
      if (op < 5) {
        const team = random(4) === 0 ? null : `t${random(3)}`;
        const key = `k${random(6)}`;
        const ctl = new AbortController();
        sent++;
        const turn = q.acquire(key, ctl.signal, team);
        if (turn === true) {
          settled++;
          running.push([key, team]);
        } else if (turn === false) settled++;
        else {
          waiting.add(ctl);
          void turn.then((granted) => {
            settled++;
            waiting.delete(ctl);
            if (granted) running.push([key, team]);
          });
        }
      } else if (op < 7 && waiting.size > 0) [...waiting][random(waiting.size)]!.abort();
      else if (running.length > 0) q.release(...running.splice(random(running.length), 1)[0]!);
      await tick();
      for (const t of (q as unknown as Internals).queue.items) {
        assert.equal(t.tags.length, t.waiting.size);
        assert.equal(t.seqs.length, t.waiting.size);
      }
    }
    while (running.length > 0 || q.waiting > 0) {
      q.release(...running.shift()!);
      await tick();
    }
    assert.equal(settled, sent, 'every call got a slot or left');
    assert.equal(q.taken, 0);
    assert.equal(keysKept(), 0, `limit ${limit}: an idle queue remembers no tenant`);
  }
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveCall, callFor, outsideCalls, withInteractions } from './call-context.js';
import { Deadline } from './deadline.js';

const caller = { caller: 'test client' };

describe('callFor: which call an upstream message belongs to', () => {
  test('the live call whose context the message arrived in, on that server only', async () => {
    const call = withInteractions(caller, () => new ActiveCall('docs'));
    assert.equal(call.interactions, caller, 'the surface’s interactions travel with the call');
    await call.run(async () => {
      assert.equal(callFor('docs', new Set([call]), true), call);
      assert.equal(callFor('other', new Set(), true), undefined, 'a message from another server is not this call’s');
      assert.equal(
        outsideCalls(() => callFor('docs', new Set(), true)),
        undefined,
        'work outside calls belongs to none',
      );
    });
    assert.equal(call.live, false);
  });

  test('a context captured by a call that has ended binds nothing', async () => {
    const call = new ActiveCall('docs');
    let later: (() => ActiveCall | undefined) | undefined;
    await call.run(async () => {
      later = () => callFor('docs', new Set(), true);
    });
    // A stream created during the call keeps its async context; the call is over.
    assert.equal(later?.(), undefined);
  });

  test('without a relating wire (stdio), only a single call in flight is bound; two are ambiguous', async () => {
    const a = new ActiveCall('docs');
    const b = new ActiveCall('docs');
    assert.equal(callFor('docs', new Set([a]), false), a);
    assert.equal(callFor('docs', new Set([a, b]), false), undefined);
    assert.equal(callFor('docs', new Set([a]), true), undefined, 'over HTTP the context decides, never the count');
  });

  test('without a relating wire, not even a single call is bound while another call may still run there', () => {
    const only = new ActiveCall('docs', undefined, 'key-b');
    const mayRun = (keys: string[]) => (call: ActiveCall) => keys.some((k) => k !== call.key);
    assert.equal(callFor('docs', new Set([only]), false, mayRun(['key-b'])), only, 'only its own key’s calls');
    assert.equal(callFor('docs', new Set([only]), false, mayRun(['key-a'])), undefined);
  });
});

describe('Deadline', () => {
  test('pauses while the call waits for its caller’s answer', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let now = 0;
    const call = new ActiveCall('docs');
    const deadline = new Deadline(100, call, () => now);
    const advance = (ms: number) => {
      now += ms;
      t.mock.timers.tick(ms);
    };
    advance(60);
    let answer!: () => void;
    const waiting = call.waitFor(new Promise<void>((resolve) => (answer = resolve)));
    await Promise.resolve();
    advance(10_000);
    assert.equal(deadline.expired, false, 'time spent waiting for the caller does not count');
    answer();
    await waiting;
    advance(39);
    assert.equal(deadline.expired, false, '60 + 39 ms of running time');
    advance(1);
    assert.equal(deadline.expired, true);
    assert.equal(deadline.signal.aborted, true);
    deadline.clear();
  });

  test('follows the caller’s signal: aborts with its reason, without counting as expired, and lets go on clear', () => {
    const caller = new AbortController();
    const deadline = new Deadline(60_000, new ActiveCall('docs'));
    deadline.follow(caller.signal);
    caller.abort(new Error('client went away'));
    assert.equal(deadline.signal.aborted, true);
    assert.equal((deadline.signal.reason as Error).message, 'client went away');
    assert.equal(deadline.expired, false, 'a cancel, not a timeout');
    deadline.clear();

    const later = new AbortController();
    const cleared = new Deadline(60_000, new ActiveCall('docs'));
    cleared.follow(later.signal);
    cleared.clear();
    later.abort();
    assert.equal(cleared.signal.aborted, false, 'a finished call no longer listens to its caller');

    const already = AbortSignal.abort(new Error('gone before'));
    const late = new Deadline(60_000, new ActiveCall('docs'));
    late.follow(already);
    assert.equal((late.signal.reason as Error).message, 'gone before');
    late.clear();
  });
});

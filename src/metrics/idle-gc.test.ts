import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIdleGc, fillNewSpace, newSpaceUsage } from './idle-gc.js';

const harness = (used: number, inflight = 0) => {
  const calls: string[] = [];
  const queued: (() => void)[] = [];
  const state = { used, inflight };
  const idle = createIdleGc({
    inflight: () => state.inflight,
    collect: (available) => calls.push(`collect ${available}`),
    usage: () => ({ used: state.used, size: 100 }),
    trigger: 0.8,
    every: 2,
    defer: (run) => queued.push(run),
  });
  const flush = () => {
    for (const run of queued.splice(0)) run();
  };
  return { idle, calls, state, flush, queued };
};

test("collects the young generation once idle and at V8's trigger, on every `every`-th idle moment", () => {
  const h = harness(80);
  h.idle.idle();
  assert.equal(h.queued.length, 0, 'the first idle moment of two is not looked at');
  h.idle.idle();
  h.flush();
  assert.deepEqual(h.calls, ['collect 20']);
  assert.equal(h.idle.collections(), 1);
});

test('does nothing while the new space will not reach the trigger before the next check', () => {
  const h = harness(40);
  for (let i = 0; i < 6; i++) h.idle.idle();
  h.flush();
  assert.deepEqual(h.calls, [], 'under half full');
  h.state.used = 55;
  h.idle.idle();
  h.idle.idle();
  h.flush();
  assert.deepEqual(h.calls, [], '55 + 15 < 80');
  h.state.used = 68;
  // (the step since the last check is 13)
  h.idle.idle();
  h.idle.idle();
  h.flush();
  assert.deepEqual(h.calls, ['collect 32'], '68 + 13 ≥ 80: collected about one check early');
});

test('leaves the collection to V8 when a request arrived before the check ran', () => {
  const h = harness(90);
  h.idle.idle();
  h.idle.idle();
  h.state.inflight = 1;
  h.flush();
  assert.deepEqual(h.calls, []);
});

test('schedules one check at a time', () => {
  const h = harness(90);
  for (let i = 0; i < 8; i++) h.idle.idle();
  assert.equal(h.queued.length, 1);
});

test('filling the new space makes V8 scavenge it now', () => {
  // Some live objects and some garbage, then the filler: the new space is (almost) empty after.
  const live: unknown[] = [];
  for (let i = 0; i < 2_000; i++) live.push({ i });
  for (let i = 0; i < 20_000; i++) void { i, garbage: true };
  const before = newSpaceUsage();
  assert.ok(before.size > 0 && before.used > 0);
  fillNewSpace(before.size - before.used);
  const after = newSpaceUsage();
  assert.ok(after.used < before.used || after.size > before.size, `used ${before.used} -> ${after.used}`);
  assert.equal(live.length, 2_000);
});

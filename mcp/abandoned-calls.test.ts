import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbandonedCalls, AnsweredCalls, EndedCalls } from './abandoned-calls.js';

describe('AbandonedCalls', () => {
  test('each call is remembered for the window, then forgotten', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const calls = new AbandonedCalls(1_000);
      calls.add();
      mock.timers.tick(600);
      calls.add();
      assert.equal(calls.size, 2);
      mock.timers.tick(400);
      assert.equal(calls.size, 1, 'the first call is past its window');
      mock.timers.tick(600);
      assert.equal(calls.size, 0);
    } finally {
      mock.timers.reset();
    }
  });

  test('clear forgets every call at once (the process is gone)', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const calls = new AbandonedCalls(1_000);
      calls.add();
      calls.add();
      calls.clear();
      assert.equal(calls.size, 0);
      mock.timers.tick(1_000);
      assert.equal(calls.size, 0);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('AnsweredCalls', () => {
  test("another key's answered call counts for the window, the key's own never", () => {
    let now = 0;
    const calls = new AnsweredCalls(1_000, () => now);
    calls.add('a');
    assert.equal(calls.othersThan('a'), false, 'its own key');
    assert.equal(calls.othersThan('b'), true);
    now = 600;
    calls.add('b');
    now = 999;
    assert.equal(calls.othersThan('b'), true, "a's answer is still in its window");
    now = 1_000;
    assert.equal(calls.othersThan('b'), false, "a's answer is past it");
    assert.equal(calls.othersThan('a'), true, "b's is not");
    calls.add('a');
    calls.clear();
    assert.equal(calls.othersThan('c'), false, 'cleared: the process is gone');
  });

  test('keys past the window are forgotten as others answer (the map holds only recent keys)', () => {
    let now = 0;
    const calls = new AnsweredCalls(1_000, () => now);
    for (let i = 0; i < 100; i++) calls.add(`k${i}`);
    now = 2_000;
    calls.add('last');
    assert.equal((calls as unknown as { last: Map<string, number> }).last.size, 1);
  });
});

describe('EndedCalls', () => {
  test('an abandoned call blocks every key, an answered one only other keys', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const calls = new EndedCalls(1_000);
      calls.add('a', true);
      assert.equal(calls.othersThan('a'), false);
      calls.add('a', false);
      assert.equal(calls.othersThan('a'), true, 'its own abandoned call may be the one asking, too');
      mock.timers.tick(1_000);
      assert.equal(calls.othersThan('a'), false);
    } finally {
      mock.timers.reset();
    }
  });
});

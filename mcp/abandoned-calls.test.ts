import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbandonedCalls } from './abandoned-calls.js';

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

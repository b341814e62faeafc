import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { abortSignalOf, Disconnect, offCancel, onCancel } from './cancel.js';

describe('Disconnect', () => {
  test('runs its listeners once, the slot and any made through the signal', () => {
    const gone = new Disconnect();
    const seen: string[] = [];
    const first = () => seen.push('first');
    const second = () => seen.push('second');
    onCancel(gone, first);
    onCancel(gone, second);
    gone.abort();
    gone.abort();
    assert.deepEqual(seen.sort(), ['first', 'second']);
    assert.equal(gone.aborted, true);
    assert.equal(abortSignalOf(gone).aborted, true);
  });

  test('a listener taken off does not run; a signal made after the abort is already aborted', () => {
    const gone = new Disconnect();
    let ran = 0;
    const fn = () => ran++;
    onCancel(gone, fn);
    offCancel(gone, fn);
    const signal = gone.signal;
    assert.equal(signal.aborted, false);
    gone.abort();
    assert.equal(ran, 0);
    assert.equal(signal.aborted, true);
    const late = new Disconnect();
    late.abort();
    assert.equal(late.signal.aborted, true);
  });

  test('an AbortSignal is used as it is', () => {
    const controller = new AbortController();
    let ran = 0;
    onCancel(controller.signal, () => ran++);
    assert.equal(abortSignalOf(controller.signal), controller.signal);
    controller.abort();
    assert.equal(ran, 1);
  });
});

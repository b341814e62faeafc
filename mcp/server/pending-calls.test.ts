import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionRefused } from '../call-context.js';
import { PendingCalls } from './pending-calls.js';
import { waitFor } from '../../tests/helpers/wait-for.js';

const elicit = (message: string) => ({
  method: 'elicitation/create' as const,
  params: { message, requestedSchema: { type: 'object' as const, properties: {} } },
});
const live = () => new AbortController().signal;

describe('PendingCall', () => {
  test('a call without questions finishes in one round', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 1_000, maxPerKey: 2 });
    const call = calls.create<string, null>('k').start(async () => 'done');
    assert.deepEqual(await call.round(live(), null), { done: 'done' });
    assert.equal(calls.size, 0);
  });

  test('a call whose work throws reports it to onCallFailed with its key, and its round throws it', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 1_000, maxPerKey: 2 });
    const failed: [string, string | null][] = [];
    calls.onCallFailed = (err, keyId) => failed.push([err.message, keyId]);
    const call = calls.create<string, null>('k').start(async () => {
      throw new Error('store away');
    });
    await assert.rejects(call.round(live(), null), /store away/);
    assert.deepEqual(failed, [['store away', 'k']]);
  });

  test('questions end a round; the retry’s answers reach the tool; unanswered ones are asked again', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 1_000, maxPerKey: 2 });
    const call = calls.create<string, null>('k');
    call.start(async () => {
      const [a, b] = await Promise.all([call.ask(elicit('a?')), call.ask(elicit('b?'))]);
      return `${JSON.stringify(a)} ${JSON.stringify(b)}`;
    });
    let round = await call.round(live(), null);
    assert.ok('ask' in round);
    const keys = Object.keys(round.ask);
    assert.equal(calls.size, 1, 'parked while waiting');
    assert.equal(calls.get(call.id, 'k'), call);
    assert.equal(calls.get(call.id, 'other-key'), undefined, 'another key finds nothing');
    call.deliver({ [keys[0]!]: { action: 'accept', content: { x: 1 } } });
    round = await call.round(live(), null);
    assert.ok('ask' in round);
    assert.deepEqual(Object.keys(round.ask), [keys[1]], 'the unanswered question again');
    call.deliver({ [keys[1]!]: { action: 'decline' }, bogus: { action: 'accept' } });
    round = await call.round(live(), null);
    assert.deepEqual(round, { done: '{"action":"accept","content":{"x":1}} {"action":"decline"}' });
    assert.equal(calls.size, 0);
  });

  test('a client that does not come back: the questions are refused and the call is cancelled', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 30, maxPerKey: 2 });
    const call = calls.create<string, null>('k');
    let aborted = false;
    call.start(async (signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      try {
        await call.ask(elicit('?'));
        return 'answered';
      } catch (err) {
        return err instanceof InteractionRefused ? `refused: ${err.message}` : 'other';
      }
    });
    assert.ok('ask' in (await call.round(live(), null)));
    await waitFor(() => calls.size === 0, 5_000, 'the refused call to be dropped');
    assert.equal(aborted, true);
    assert.equal(calls.size, 0);
  });

  test('cancelling the round’s request cancels the call', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 1_000, maxPerKey: 2 });
    const call = calls.create<string, null>('k');
    call.start((signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('cancelled'))));
    const request = new AbortController();
    const round = call.round(request.signal, null);
    request.abort();
    assert.deepEqual(await round, { done: 'cancelled' });
  });

  test('a question the server withdraws is dropped from the next round', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 1_000, maxPerKey: 2 });
    const call = calls.create<string, null>('k');
    const server = new AbortController();
    call.start(async () => {
      const withdrawn = call.ask(elicit('slow?'), server.signal).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      server.abort();
      return withdrawn;
    });
    assert.deepEqual(await call.round(live(), null), { done: 'the server withdrew the request' });
  });

  test('a key parks at most maxPerKey calls; more questions are refused', async () => {
    const calls = new PendingCalls({ inputTimeoutMs: 1_000, maxPerKey: 1 });
    const first = calls.create<string, null>('k');
    first.start(async () => JSON.stringify(await first.ask(elicit('1'))));
    assert.ok('ask' in (await first.round(live(), null)));
    const second = calls.create<string, null>('k');
    second.start(() =>
      second.ask(elicit('2')).then(
        () => 'answered',
        (err: Error) => `refused: ${err.message}`,
      ),
    );
    assert.deepEqual(await second.round(live(), null), { done: 'refused: too many tool calls of this virtual key are waiting for input' });
    const other = calls.create<string, null>('other-key');
    other.start(async () => JSON.stringify(await other.ask(elicit('3'))));
    assert.ok('ask' in (await other.round(live(), null)), 'other keys are not affected');
  });
});

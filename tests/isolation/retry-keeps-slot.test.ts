// A request waiting to retry keeps its place among its key's calls in flight (README, Governance:
// calls in flight). An attempt gives its slot back when it fails; before, another call of the key
// could take that slot during the retry's backoff, and the retry was then refused: the request,
// admitted and already charged an upstream round trip, ended midway with `429
// key_calls_in_flight_exhausted` (recorded so, after its 503 attempt). Now the waiting request holds
// a slot, the retry runs, and a new call of a key at its bound is the one refused, at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const KEY = 'vk-retry-keeps-slot-1';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** Calls whose text says `flaky<n>` fail once with a 503 asking for a 1 s wait. */
const failedOnce = new Set<string>();

before(async () => {
  ({ mock, gw, stop } = await startStack({
    providers: { maxRetries: 1 },
    config: { virtualKeys: [{ id: 'one', key: KEY, models: ['*'], rateLimit: { inFlight: 1 } }] },
  }));
  mock.fallback = (body) => {
    const text = JSON.stringify(body.messages);
    const flaky = /flaky\d+/.exec(text)?.[0];
    if (flaky && !failedOnce.has(flaky)) {
      failedOnce.add(flaky);
      return { kind: 'error', status: 503, headers: { 'retry-after': '1' } };
    }
    return { kind: 'text', text: 'ok', usage: { input: 5, output: 1 }, delayMs: text.includes('slow') ? 3_000 : 0 };
  };
});
after(() => stop?.());

const chat = (text: string, signal?: AbortSignal) =>
  fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    signal: signal ?? null,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }] }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any, id: r.headers.get('x-request-id') }));

test('a request waiting to retry keeps its slot: its retry runs, a new call of the key is refused at once', {
  timeout: 30_000,
}, async () => {
  const first = chat('flaky1');
  await waitFor(() => failedOnce.has('flaky1'), 5_000, 'the first attempt to fail');
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  const second = await chat('slow');
  const secondMs = performance.now() - t0;
  const answer = await first;
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(second.status, 429);
  assert.equal(second.body.error.code, 'key_calls_in_flight_exhausted');
  assert.ok(secondMs < 900, `the new call was refused after ${Math.round(secondMs)} ms, not at once`);
  await gw.quiet(200);
  const attempts = await gw.query<{ attempt: number; status: number }>(
    'SELECT attempt, status FROM llm_calls WHERE request_id = ? ORDER BY attempt',
    answer.id,
  );
  assert.deepEqual(
    attempts.map((a) => [Number(a.attempt), Number(a.status)]),
    [
      [1, 503],
      [2, 200],
    ],
  );
  const [row] = await gw.query<{ status: number }>('SELECT status FROM requests WHERE id = ?', answer.id);
  assert.equal(Number(row!.status), 200);
});

test('a client that leaves while its request waits to retry gives the slot back', { timeout: 30_000 }, async () => {
  const gone = new AbortController();
  const leaving = chat('flaky2', gone.signal).catch(() => 'aborted');
  await waitFor(() => failedOnce.has('flaky2'), 5_000, 'the first attempt to fail');
  gone.abort();
  assert.equal(await leaving, 'aborted');
  // The request ends when the gateway sees the client gone (at the latest when the wait ends).
  await waitFor(async () => (await chat('quick')).status === 200, 5_000, 'the key’s slot to come back');
});

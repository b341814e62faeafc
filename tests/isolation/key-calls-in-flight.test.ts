// One key may not hold the upstream connection pool (README, Guarantees: Isolation). The gateway
// calls each upstream origin over one pool of 256 connections shared by every key; a key that keeps
// more calls open than that (slow answers: long generations, reasoning models) made every other
// key's call wait in the pool's queue behind its own. A key now has at most `maxInFlightPerKey`
// (default 64; `rateLimit.inFlight` per key) upstream calls in flight on a replica, and the keys of
// one team `maxInFlightPerTeam` (128) together; past either a call is refused at once, 429
// `rate_limited` with `code: key_calls_in_flight_exhausted` / `team_calls_in_flight_exhausted`.
//
// Measured without the bound (maxInFlightPerKey and maxInFlightPerTeam raised to 100,000): 300 slow
// calls of one key held the pool, and another key's one call, timed 3 s after they were sent, waited
// for the rest of their 8 s (5,454 ms) instead of milliseconds (20 ms with it; both at load 8-10).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const HOG = 'vk-in-flight-hog-0001';
const OTHER = 'vk-in-flight-other-01';
const NARROW = 'vk-in-flight-narrow-1';
/** How long the upstream takes to answer the hog's calls (the other key's call must take under half). */
const SLOW_MS = 8_000;
const ATTACK = 300;
/** Four keys of one team: 4 × 64 calls would fill the pool of 256 without a team bound. */
const TEAM_KEYS = [1, 2, 3, 4].map((i) => `vk-in-flight-team-hog-${i}`);

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    providers: { maxRetries: 0 },
    config: {
      virtualKeys: [
        { id: 'hog', key: HOG, models: ['*'] },
        { id: 'other', key: OTHER, models: ['*'] },
        { id: 'narrow', key: NARROW, models: ['*'], rateLimit: { inFlight: 2 } },
        ...TEAM_KEYS.map((key, i) => ({ id: `team-hog-${i}`, key, team: 'hogs', models: ['*'] })),
      ],
      teams: [{ id: 'hogs' }],
    },
  }));
  mock.fallback = (body) => {
    const text = JSON.stringify(body.messages);
    return { kind: 'text', text: 'ok', usage: { input: 5, output: 1 }, delayMs: text.includes('slow') ? SLOW_MS : 0 };
  };
});
after(() => stop?.());

const chat = (key: string, text: string) =>
  fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }] }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any, retryAfter: r.headers.get('retry-after') }));

describe('upstream calls in flight per key', () => {
  test(`${ATTACK} slow calls of one key: it gets 64, the rest 429 at once, and another key is not kept waiting`, {
    timeout: 30_000,
  }, async (t) => {
    let refusedSoFar = 0;
    const attack = Array.from({ length: ATTACK }, () =>
      chat(HOG, 'slow').then((r) => {
        if (r.status === 429) refusedSoFar++;
        return r;
      }),
    );
    // The hog's calls have reached the upstream (all it will get through) and the rest have had their
    // answer: what is left open is the pool the hog holds. (Timing the other key's call while 236
    // refusals were still being answered measured the CPU of a loaded machine: 2 s once at load 10.6.)
    await waitFor(() => mock.requests.length >= 64, 10_000, 'the hog’s calls at the upstream');
    // Without the bound none is refused: the other key's call is then timed after 3 s, with the hog's
    // calls still open for 5 s more.
    await waitFor(() => refusedSoFar >= ATTACK - 64, 3_000, 'the hog’s refusals').catch(() => undefined);
    const t0 = performance.now();
    const other = await chat(OTHER, 'quick');
    const otherMs = performance.now() - t0;
    assert.equal(other.status, 200);
    assert.ok(otherMs < SLOW_MS / 2, `another key's call took ${Math.round(otherMs)} ms while the hog's calls were open`);
    const results = await Promise.all(attack);
    const refused = results.filter((r) => r.status === 429);
    t.diagnostic(`another key's call: ${Math.round(otherMs)} ms; the hog: ${ATTACK - refused.length} answered, ${refused.length} refused`);
    assert.equal(results.filter((r) => r.status === 200).length, 64, results.map((r) => r.status).join(','));
    assert.equal(refused.length, ATTACK - 64);
    assert.equal(refused[0]!.body.error.type, 'rate_limited');
    assert.equal(refused[0]!.body.error.code, 'key_calls_in_flight_exhausted');
    assert.equal(refused[0]!.retryAfter, '1');
    // The slots came back with the answers.
    assert.equal((await chat(HOG, 'quick')).status, 200);
  });

  test('rateLimit.inFlight sets one key’s bound; refused calls are recorded as 429 with the key', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => chat(NARROW, 'slow')));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 429, 429, 429]);
    const rows = await gw.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM requests WHERE key_id = 'narrow' AND status = 429 AND error_type = 'key_calls_in_flight_exhausted'",
    );
    assert.equal(Number(rows[0]!.n), 3);
  });

  test('four keys of one team, 70 slow calls each: the team gets 128 together, another key is not kept waiting', {
    timeout: 30_000,
  }, async (t) => {
    const start = mock.requests.length;
    let refusedSoFar = 0;
    const attack = TEAM_KEYS.flatMap((key) =>
      Array.from({ length: 70 }, () =>
        chat(key, 'slow').then((r) => {
          if (r.status === 429) refusedSoFar++;
          return r;
        }),
      ),
    );
    // Every call of the team is at the upstream or refused: the pool is as full as the team can make it.
    await waitFor(() => mock.requests.length - start + refusedSoFar >= 280, 10_000, 'the team’s calls placed');
    const t0 = performance.now();
    const other = await chat(OTHER, 'quick');
    const otherMs = performance.now() - t0;
    const results = await Promise.all(attack);
    const refused = results.filter((r) => r.status === 429);
    t.diagnostic(
      `another key's call: ${Math.round(otherMs)} ms; the team: ${results.length - refused.length} answered, ${refused.length} refused`,
    );
    assert.equal(other.status, 200);
    assert.ok(otherMs < SLOW_MS / 2, `another key's call took ${Math.round(otherMs)} ms while the team's calls were open`);
    assert.equal(results.length - refused.length, 128, results.map((r) => r.status).join(','));
    // Each key is under its own 64 until the team's 128 run out (a key's first 64 may also come first).
    assert.ok(refused.some((r) => r.body.error.code === 'team_calls_in_flight_exhausted'));
  });
});

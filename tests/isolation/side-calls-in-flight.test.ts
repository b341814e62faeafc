// The bound on a key's upstream calls in flight (README, Guarantees: Isolation; key-calls-in-flight
// .test.ts) holds for every call the gateway makes to a provider for a key, not only model rounds:
// Anthropic token counting (`POST /v1/messages/count_tokens` on a provider that speaks Messages) and
// a stored response a native upstream holds (`GET` / `DELETE /v1/responses/{id}`) go to the provider
// too. Before, neither took a slot: a key (without a request rate limit) could keep any number of
// them open at once on the connection pool every key shares. Now past the bound they are refused
// at once, 429 `key_calls_in_flight_exhausted`, and the slot comes back when the call ends.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const NARROW = 'vk-side-calls-narrow-1';
const SLOW_MS = 1_500;
const CALLS = 6;

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: ({ mock }) => ({
      providers: passThroughProviders(mock, 'side-calls', { maxRetries: 0 }),
      virtualKeys: [{ id: 'narrow', key: NARROW, models: ['*'], rateLimit: { inFlight: 2 } }],
    }),
  }));
});
after(() => stop?.());
beforeEach(() => mock.reset());

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.baseURL}${path}`, {
    method,
    headers: { authorization: `Bearer ${NARROW}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

/** CALLS at once: two reach the upstream, the rest are refused there and then. */
async function assertBounded(calls: () => Promise<{ status: number; body: any }>[], upstreamPath: RegExp): Promise<void> {
  const results = await Promise.all(calls());
  assert.deepEqual(
    results.map((r) => r.status).sort(),
    [200, 200, ...Array(CALLS - 2).fill(429)],
    JSON.stringify(results.map((r) => r.body)),
  );
  const refused = results.find((r) => r.status === 429)!.body;
  assert.match(JSON.stringify(refused), /key_calls_in_flight_exhausted/);
  assert.equal(mock.requests.filter((r) => upstreamPath.test(r.path)).length, 2, 'only two reached the upstream');
  // The slots came back with the answers.
  assert.equal((await calls()[0]!).status, 200);
}

describe('calls in flight per key beyond model rounds', () => {
  test(`${CALLS} slow count_tokens at once against inFlight 2: two go upstream, the rest 429`, async () => {
    mock.countTokensDelayMs = SLOW_MS;
    const body = { model: 'ant/claude-sonnet-4-5', messages: [{ role: 'user', content: 'count me' }] };
    await assertBounded(() => Array.from({ length: CALLS }, () => send('POST', '/messages/count_tokens', body)), /count_tokens/);
  });

  test(`${CALLS} slow GETs of a response the upstream stored: two go upstream, the rest 429`, async () => {
    const created = await send('POST', '/responses', { model: 'oai/gpt-5', input: 'keep me' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id as string;
    mock.reset();
    mock.fallback = (body) => ({ kind: 'text', text: 'stored', delayMs: body === null ? SLOW_MS : 0 });
    await assertBounded(() => Array.from({ length: CALLS }, () => send('GET', `/responses/${id}`)), /^\/v1\/responses\/resp_/);
  });
});

// A key's request rate limit over the Responses WebSocket (README, Rate limits): one connection
// must not be a way around it. Each `response.create` on a connection counts as one request, against
// the same counter as HTTP; past the limit it gets an error event (429 rate_limited) and the
// connection stays; an upgrade while the key is at its limit is refused with a plain 429. A warm-up
// (`generate: false`) calls no model but is a response.create all the same, parsed and kept: it
// counts too (before, a key at its limit could send warm-ups without end). A key at its limit, or
// expired since the upgrade, is refused before its message is parsed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { type Event, openResponsesSocket, upgradeResponsesSocket } from '../helpers/responses-socket.js';

const VK = 'vk-ws-rate-limit-0001';
const WARM = 'vk-ws-rate-limit-warm';
const EARLY = 'vk-ws-rate-limit-early';
const EXPIRING = 'vk-ws-rate-limit-expiring';
// The gateway's clock: the last test moves it past a key's expiry.
let skewMs = 0;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];

before(async () => {
  ({ mock, gw, stop } = await startStack({
    now: () => Date.now() + skewMs,
    config: {
      virtualKeys: [
        { id: 'ws-limited', key: VK, models: ['*'], rateLimit: { requests: 3, window: '1h' } },
        { id: 'ws-warm', key: WARM, models: ['*'], rateLimit: { requests: 3, window: '1h' } },
        { id: 'ws-early', key: EARLY, models: ['*'], rateLimit: { requests: 1, window: '1h' } },
        { id: 'ws-expiring', key: EXPIRING, models: ['*'], expiresAt: new Date(Date.now() + 600_000).toISOString() },
      ],
    },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

/** One connection; `create` sends a response.create and returns the event that ended it. */
async function connect(key = VK) {
  const socket = await openResponsesSocket(gw.url, key, { track: open });
  const create = async (input: string, extra: Record<string, unknown> = {}): Promise<Event> => {
    socket.create({ model: 'openai/gpt-4o-mini', input, ...extra });
    return (await socket.read()).at(-1)!;
  };
  return Object.assign(create, { socket });
}

describe('request rate limit over the Responses WebSocket', () => {
  test('each response.create counts; past the limit an error event, then HTTP and new upgrades are refused too', async () => {
    const create = await connect();
    const ends = [];
    for (let i = 0; i < 4; i++) ends.push(await create(`hello ${i}`));
    assert.deepEqual(
      ends.map((e) => e.type),
      ['response.completed', 'response.completed', 'response.completed', 'error'],
    );
    assert.equal(ends[3]!.status, 429);
    assert.equal(ends[3]!.error.type, 'rate_limited');
    assert.equal(mock.requests.length, 3);
    const http = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(http.status, 429);
    const upgrade = await upgradeResponsesSocket(gw.url, VK, { track: open });
    assert.ok(upgrade.refused, 'the upgrade was accepted');
    assert.equal(upgrade.refused.status, 429);
  });

  test('warm-ups count as requests: past the limit an error event, and no response.create after them', async () => {
    const create = await connect(WARM);
    const ends = [];
    for (let i = 0; i < 4; i++) ends.push(await create(`context ${i}`, { generate: false }));
    assert.deepEqual(
      ends.map((e) => (e.type === 'error' ? e.status : e.type)),
      ['response.completed', 'response.completed', 'response.completed', 429],
    );
    assert.equal(ends[3]!.error.type, 'rate_limited');
    const before = mock.requests.length;
    const real = await create('now answer');
    assert.equal(real.type, 'error');
    assert.equal(real.status, 429);
    assert.equal(mock.requests.length, before, 'nothing went upstream');
  });

  // The key is known from the upgrade, so a key at its limit is refused before its message is read,
  // as a POST is before its body is parsed: a message that is over the rate AND not JSON is refused
  // as over the rate. Before, each message was decoded and parsed first (JSON.parse of 4 MiB of
  // small items: ~50 ms of CPU) and this one got a 400 invalid_json. The row still names the model,
  // read from the message's start; an acknowledgement (response.processed) is still not answered.
  test('a key at its limit is refused before its message is parsed: malformed JSON gets the 429', async () => {
    const create = await connect(EARLY);
    assert.equal((await create('the one allowed')).type, 'response.completed');
    const { socket } = create;
    const upstream = mock.requests.length;
    const errors = () => socket.received.filter((e) => e.type === 'error');
    socket.send('not json');
    socket.send({ type: 'response.processed', response_id: 'resp_1' });
    // Cut short (not JSON), large, its model first.
    socket.send(`{"type":"response.create","model":"openai/gpt-4o-mini","input":"${'x'.repeat(1 << 20)}`);
    const rows = await waitFor(
      async () => {
        const r = await gw.query<Record<string, unknown>>(
          "SELECT status, error_type, model, surface FROM requests WHERE key_id = 'ws-early' AND status <> 200 ORDER BY model IS NOT NULL",
        );
        return r.length >= 2 ? r : undefined;
      },
      10_000,
      "the refused messages' rows",
    );
    assert.deepEqual(
      rows.map((r) => [r.status, r.error_type, r.model, r.surface]),
      [
        [429, 'rate_limited', null, 'responses'],
        [429, 'rate_limited', 'openai/gpt-4o-mini', 'responses'],
      ],
    );
    await waitFor(() => errors().length >= 2, 10_000, 'two error events');
    assert.deepEqual(
      errors().map((e) => [e.status, e.error.type]),
      [
        [429, 'rate_limited'],
        [429, 'rate_limited'],
      ],
    );
    assert.equal(mock.requests.length, upstream, 'nothing went upstream');
  });

  test('a key that expired since the upgrade is refused before its message is parsed: the 403', async () => {
    const { socket } = await connect(EXPIRING);
    skewMs = 700_000;
    socket.send('not json');
    const error = await socket.next();
    assert.deepEqual([error.status, error.error.type], [403, 'virtual_key_blocked']);
  });
});

// A key's request rate limit over the Responses WebSocket (README, Rate limits): one connection
// must not be a way around it. Each `response.create` on a connection counts as one request, against
// the same counter as HTTP; past the limit it gets an error event (429 rate_limited) and the
// connection stays; an upgrade while the key is at its limit is refused with a plain 429. A warm-up
// (`generate: false`) calls no model but is a response.create all the same, parsed and kept: it
// counts too (before, a key at its limit could send warm-ups without end).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const VK = 'vk-ws-rate-limit-0001';
const WARM = 'vk-ws-rate-limit-warm';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: {
      virtualKeys: [
        { id: 'ws-limited', key: VK, models: ['*'], rateLimit: { requests: 3, window: '1h' } },
        { id: 'ws-warm', key: WARM, models: ['*'], rateLimit: { requests: 3, window: '1h' } },
      ],
    },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

type Event = Record<string, any>;
const ENDS = ['response.completed', 'response.failed', 'response.incomplete', 'error'];

/** One connection; `create` sends a response.create and returns the event that ended it. */
async function connect(key = VK) {
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/responses`, { headers: { authorization: `Bearer ${key}` } });
  open.push(ws);
  const ends: Event[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    const e = JSON.parse(data.toString()) as Event;
    if (ENDS.includes(e.type)) ends.push(e);
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return async (input: string, extra: Record<string, unknown> = {}): Promise<Event> => {
    ws.send(JSON.stringify({ type: 'response.create', model: 'openai/gpt-4o-mini', input, ...extra }));
    while (ends.length === 0) await new Promise<void>((r) => (wake = r));
    return ends.shift()!;
  };
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
    const upgrade = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/responses`, { headers: { authorization: `Bearer ${VK}` } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });
    assert.equal(upgrade, 429);
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
});

// What one Responses WebSocket connection may hold between its responses (README, Guarantees:
// Isolation). A continuation (`previous_response_id` naming the connection's last response) is
// expanded to the whole conversation, which the connection keeps; a warm-up (`generate: false`)
// adds its input to it without calling a model, so without a bound a client could grow the
// conversation a connection holds by a message's worth (up to maxBodyBytes) per warm-up, for free,
// until the process ran out of memory, and then send it all upstream in one request. The
// conversation a continuation stands for is bounded like the POST body it replaces: past
// maxBodyBytes it gets a 413 error message, nothing goes upstream, and the connection keeps what it
// held before (and keeps serving).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { type Event, openResponsesSocket } from '../helpers/responses-socket.js';

const VK = 'vk-ws-held-conversation-01';
const LIMIT = 64 * 1024;
/** Each message's input: about a third of the limit. */
const PART = 20_000;
const MODEL = 'openai/gpt-4o-mini';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: { maxBodyBytes: LIMIT, virtualKeys: [{ id: 'ws-held', key: VK, models: ['*'] }] },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

/** One connection; `create` sends a response.create and returns the event that ended it. */
async function connect() {
  const socket = await openResponsesSocket(gw.url, VK, { track: open });
  return async (body: Record<string, unknown>): Promise<Event> => {
    socket.create({ model: MODEL, ...body });
    return (await socket.read()).at(-1)!;
  };
}

const outcome = (e: Event) => (e.type === 'error' ? e.status : e.type);

describe('the conversation a Responses WebSocket connection holds', () => {
  test('warm-ups and continuations past maxBodyBytes are refused (413), nothing larger goes upstream', async () => {
    const create = await connect();
    let last = await create({ input: 'a'.repeat(PART), generate: false });
    assert.equal(last.type, 'response.completed');
    // Ten warm-ups, each continuing the last one the connection kept: 200 KB in all.
    const warmUps: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const end = await create({ input: 'b'.repeat(PART), generate: false, previous_response_id: last.response.id });
      warmUps.push(outcome(end));
      if (end.type === 'response.completed') last = end;
      else assert.equal(end.error.type, 'request_too_large');
    }
    // Two fit beside the first (about 60 KB); every later one would pass the limit.
    assert.deepEqual(warmUps, ['response.completed', 'response.completed', ...Array(8).fill(413)]);
    assert.equal(mock.requests.length, 0, 'a warm-up calls no model');

    // A real continuation that would pass the limit is refused before anything goes upstream…
    const over = await create({ input: 'c'.repeat(PART), previous_response_id: last.response.id });
    assert.equal(outcome(over), 413);
    assert.equal(mock.requests.length, 0);
    // …one within it goes, with the conversation the connection kept (three parts and the question).
    const ok = await create({ input: 'and now?', previous_response_id: last.response.id });
    assert.equal(ok.type, 'response.completed');
    assert.equal(mock.requests.length, 1);
    assert.ok(mock.requests[0]!.raw.length <= LIMIT, `upstream body ${mock.requests[0]!.raw.length} bytes`);
    const users = mock.requests[0]!.body.messages.filter((m: any) => m.role === 'user').map((m: any) => m.content.length);
    assert.deepEqual(users, [PART, PART, PART, 'and now?'.length]);

    // The connection keeps serving: a request that continues nothing starts afresh.
    const fresh = await create({ input: 'd'.repeat(PART) });
    assert.equal(fresh.type, 'response.completed');
  });
});

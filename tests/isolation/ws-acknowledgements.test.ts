// Acknowledgements on the Responses WebSocket (`response.processed`, which Codex sends once per
// response it got) are not answered, recorded or counted against the key's rate, but each costs the
// gateway a parse and a key check (with Redis counters, a round trip). Before, a key could send them
// for as long as its connection lasted (only 8 waiting at once were refused), and one of up to
// maxBodyBytes was parsed whole for free. Now a connection's acknowledgements may exceed the
// response.create messages it took by at most 8: past that it is a flood (429 event, close 1008);
// and one over 1 KiB is not an acknowledgement: refused 400 as a malformed message is (counted, its row).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { openResponsesSocket, type ResponsesSocket } from '../helpers/responses-socket.js';
import { waitFor } from '../helpers/wait-for.js';

const VK = 'vk-ws-acks-0001';
const LIMITED = 'vk-ws-acks-limited';
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];

before(async () => {
  ({ gw, stop } = await startStack({
    config: {
      virtualKeys: [
        { id: 'acks', key: VK, models: ['*'] },
        { id: 'acks-limited', key: LIMITED, models: ['*'], rateLimit: { requests: 2, window: '1h' } },
      ],
    },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

const ack = (socket: ResponsesSocket, i: number) => socket.send({ type: 'response.processed', response_id: `resp_${i}` });
/** Sends `message` and waits for its answer: every acknowledgement sent before it has been taken. */
const answerTo = async (socket: ResponsesSocket, message: object | string) => {
  socket.send(message);
  return socket.next();
};
const rows = async (key: string) =>
  (await gw.query<{ status: number }>('SELECT status FROM requests WHERE key_id = ? ORDER BY ts', key)).map((r) => r.status);

describe('acknowledgements on the Responses WebSocket', () => {
  test('more than 8 beyond the responses asked is a flood: a 429 event and close 1008, nothing recorded for them', {
    timeout: 30_000,
  }, async () => {
    const socket = await openResponsesSocket(gw.url, VK, { track: open });
    socket.create({ model: 'openai/gpt-4o-mini', input: 'one' });
    assert.equal((await socket.read()).at(-1)?.type, 'response.completed');
    // One response asked: 1 + 8 acknowledgements are taken. Each is followed by a message that is
    // answered (a warm-up would ask a response: a message of another type, refused 400, asks none),
    // so they arrive one at a time and the waiting-messages bound (8 at once) is not what stops them.
    for (let i = 0; i < 9; i++) {
      ack(socket, i);
      const answer = await answerTo(socket, { type: 'response.cancel' });
      assert.equal(answer.status, 400, JSON.stringify(answer));
    }
    ack(socket, 9);
    const flood = await socket.next();
    assert.equal(flood.type, 'error');
    assert.equal(flood.status, 429);
    assert.match(flood.error.message, /acknowledgements/);
    const { code, reason } = await socket.closed;
    assert.equal(code, 1008);
    assert.match(reason, /acknowledgements/);
    await gw.quiet();
    // The response and the 9 refused messages; no acknowledgement has a row.
    const statuses = await rows('acks');
    assert.deepEqual(statuses, [200, ...Array(9).fill(400)]);
  });

  test('an honest client acknowledging each response keeps its connection, past 8 of them, and is not counted for it', {
    timeout: 30_000,
  }, async () => {
    const socket = await openResponsesSocket(gw.url, VK, { track: open });
    for (let i = 0; i < 12; i++) {
      socket.create({ model: 'openai/gpt-4o-mini', input: `turn ${i}` });
      const ends = await socket.read();
      assert.equal(ends.at(-1)?.type, 'response.completed');
      ack(socket, i);
    }
    // The connection still answers after 12 acknowledgements.
    socket.create({ model: 'openai/gpt-4o-mini', input: 'last' });
    assert.equal((await socket.read()).at(-1)?.type, 'response.completed');
    socket.ws.close();

    // Under a rate limit of 2 requests: acknowledgements count nothing (a third response.create would).
    const limited = await openResponsesSocket(gw.url, LIMITED, { track: open });
    for (let i = 0; i < 2; i++) {
      limited.create({ model: 'openai/gpt-4o-mini', input: `limited ${i}` });
      assert.equal((await limited.read()).at(-1)?.type, 'response.completed');
      ack(limited, i);
      ack(limited, i); // a duplicate, as a client retrying its acknowledgement may send
    }
    limited.create({ model: 'openai/gpt-4o-mini', input: 'over' });
    const over = (await limited.read()).at(-1);
    assert.equal(over?.status, 429, 'the third response.create is over the limit, the acknowledgements were not counted');
    assert.doesNotMatch(over?.error?.message ?? '', /acknowledgements/);
  });

  test('an acknowledgement over 1 KiB is refused 400 like a malformed message: counted and recorded', { timeout: 30_000 }, async () => {
    const socket = await openResponsesSocket(gw.url, VK, { track: open });
    const before = (await rows('acks')).length;
    const answer = await answerTo(socket, { type: 'response.processed', response_id: 'x'.repeat(2048) });
    assert.equal(answer.type, 'error');
    assert.equal(answer.status, 400);
    assert.equal(answer.error.type, 'invalid_request_error');
    assert.match(answer.error.message, /at most 1024 bytes/);
    const after = await waitFor(async () => {
      const r = await rows('acks');
      return r.length > before ? r : undefined;
    });
    assert.equal(after.at(-1), 400);
    // The connection stays, as after any refused message.
    socket.create({ model: 'openai/gpt-4o-mini', input: 'still here' });
    assert.equal((await socket.read()).at(-1)?.type, 'response.completed');
  });
});

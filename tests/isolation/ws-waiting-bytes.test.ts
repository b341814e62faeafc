// What the messages waiting on one Responses WebSocket connection may hold (README, Guarantees:
// Isolation). Responses run one at a time; messages sent ahead wait. They were bounded by count
// only (8), each up to maxBodyBytes: 8 × 4 MiB a connection, 512 MiB for one key's 16 connections,
// held in the gateway while a slow response runs. Now the messages waiting behind the one in
// progress hold at most maxBodyBytes together: past it the client gets a 429 error message and
// the connection is closed (1008), as a flood of messages is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { openResponsesSocket } from '../helpers/responses-socket.js';

const VK = 'vk-ws-waiting-bytes-01';
const LIMIT = 64 * 1024;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: { maxBodyBytes: LIMIT, virtualKeys: [{ id: 'ws-waiting', key: VK, models: ['*'] }] },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

const create = (input: string) => JSON.stringify({ type: 'response.create', model: 'openai/gpt-4o-mini', input });

describe('messages waiting on a Responses WebSocket connection', () => {
  test('behind a slow response they hold at most maxBodyBytes together: past it 429 and 1008', async () => {
    mock.enqueue({ kind: 'text', text: 'slow', delayMs: 1_000 });
    const socket = await openResponsesSocket(gw.url, VK, { track: open });
    const events = socket.received;
    let closedWith: number | undefined;
    void socket.closed.then(({ code }) => (closedWith = code));
    socket.send(create('the slow one'));
    // Three of 40% of the limit each, while the first runs: the third would make 120% wait.
    for (let i = 0; i < 3; i++) socket.send(create(String(i).repeat(Math.floor(LIMIT * 0.4))));
    // Closed, or (were they all kept) every one answered.
    const completed = () => events.filter((e) => e.type === 'response.completed').length;
    await waitFor(() => closedWith !== undefined || completed() === 4, 15_000, 'the connection to close or answer all four');
    assert.equal(closedWith, 1008, `${completed()} of 4 answered, the connection still open`);
    const refusal = events.find((e) => e.type === 'error');
    assert.ok(refusal, 'told why');
    assert.equal(refusal.status, 429);
    assert.match(refusal.error.message, /bytes/);
    assert.ok(mock.requests.length <= 1, 'the messages waiting behind the first never ran');
  });
});

// A Responses WebSocket message refused before it reaches the handler is in the ledger, as the same
// request refused over HTTP is (README, Guarantees: Durability, "Refused requests name who and
// what"). The connection parses and checks each message itself (JSON, a governed key sent twice,
// the conversation a continuation stands for, a warm-up's admission); before, such a refusal was
// an error event and nothing else: an answered request with no row, its key's refusals invisible.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { openResponsesSocket } from '../helpers/responses-socket.js';

const VK = 'vk-ws-refusal-rows-01';
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];

before(async () => {
  ({ gw, stop } = await startStack({
    config: {
      customers: [{ id: 'acme' }],
      teams: [{ id: 'eng', customer: 'acme' }],
      virtualKeys: [{ id: 'ws-refused', key: VK, team: 'eng', models: ['*'] }],
    },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

describe('refusals on a Responses WebSocket connection', () => {
  test('a malformed message and a governed key sent twice each get their row, naming the key', async () => {
    const socket = await openResponsesSocket(gw.url, VK, { track: open });
    const errors = () => socket.received.filter((e) => e.type === 'error');
    socket.send('not json');
    socket.send('{"type":"response.create","model":"openai/gpt-4o-mini","model":"openai/gpt-4o","input":"hi"}');
    await waitFor(() => errors().length === 2, 10_000, 'two error events');
    assert.deepEqual(
      errors().map((e) => [e.status, e.error.code]),
      [
        [400, 'invalid_json'],
        [400, 'duplicate_key'],
      ],
    );
    const rows = await waitFor(
      async () => {
        const r = await gw.query<Record<string, unknown>>(
          "SELECT key_id, team_id, customer_id, status, error_type, surface FROM requests WHERE key_id = 'ws-refused' ORDER BY ts",
        );
        return r.length >= 2 ? r : undefined;
      },
      10_000,
      'two requests rows',
    );
    assert.deepEqual(
      rows.map((r) => [r.key_id, r.team_id, r.customer_id, r.status, r.error_type, r.surface]),
      [
        ['ws-refused', 'eng', 'acme', 400, 'invalid_json', 'responses'],
        ['ws-refused', 'eng', 'acme', 400, 'duplicate_key', 'responses'],
      ],
    );
  });
});

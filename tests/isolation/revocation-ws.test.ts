// A Responses WebSocket connection is authenticated once, at its upgrade, and may stay open for
// hours (README, Guarantees: Isolation). Each `response.create` on it must get what the key is now,
// not what it was at the upgrade: a key narrowed, lowered, disabled or deleted through the admin
// API is refused on the next message with the error a new connection's request would get, and the
// refusal has its row. A response whose tool loop is running when its key is deleted starts no
// next round (the loop re-reads its key: tests/isolation/revocation-loops.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import { z } from 'zod';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { FixtureTool } from '../fixtures/mcp-http-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { openResponsesSocket, type Event } from '../helpers/responses-socket.js';

const ADMIN = 'admin-token-revocation-ws';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const open: WebSocket[] = [];
let ran = 0;
let release: (() => void) | undefined;

before(async () => {
  const hold: FixtureTool = {
    description: 'Answers when the test lets it',
    inputSchema: { n: z.number() },
    handler: async () => {
      ran++;
      await new Promise<void>((r) => {
        release = r;
      });
      return { content: [{ type: 'text', text: 'held' }] };
    },
  };
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    providers: { maxRetries: 0 },
    mcp: { tools: { hold }, server: { callTimeoutMs: 30_000 } },
    config: { virtualKeys: [] },
  }));
});
after(async () => {
  for (const ws of open) ws.terminate();
  await stop?.();
});

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as { key?: string };
};

const CREATE = { model: 'openai/gpt-4o-mini', input: 'hi' };
const ended = (events: Event[]) => events[events.length - 1]!;
/** An error event: a refusal before the response started carries the HTTP status and the OpenAI error, one in its stream the code. */
const refusal = (e: Event) => [e.type, e.status, e.error?.type ?? e.code, JSON.stringify(e)];

async function rows(keyId: string) {
  return gw.query<{ status: number; error_type: string | null }>(
    'SELECT status, error_type FROM requests WHERE key_id = ? ORDER BY ts',
    keyId,
  );
}

describe('a Responses WebSocket connection after its key changed', () => {
  test('each response.create gets the key as it is now: narrowed, over budget, disabled, deleted', { timeout: 30_000 }, async () => {
    const { key } = await admin('POST', '/api/virtual-keys', {
      id: 'ws-revoked',
      models: ['openai/*'],
      budget: { usd: 10, period: 'day' },
    });
    const socket = await openResponsesSocket(gw.url, key!, { track: open });
    socket.create(CREATE);
    assert.equal(ended(await socket.read()).type, 'response.completed');

    await admin('PATCH', '/api/virtual-keys/ws-revoked', { models: ['openai/gpt-4o'] });
    socket.create(CREATE);
    assert.deepEqual(refusal(ended(await socket.read())).slice(0, 3), ['error', 403, 'model_blocked']);

    await admin('PATCH', '/api/virtual-keys/ws-revoked', { models: ['openai/*'], budget: { usd: 0.000001, period: 'day' } });
    socket.create(CREATE);
    // Refused at its reservation, once the response's stream is under way (as over HTTP with stream: true).
    assert.deepEqual(refusal(ended(await socket.read())).slice(0, 3), ['error', undefined, 'key_budget_exceeded']);
    assert.equal(ended(await socket.read()).type, 'response.failed');

    await admin('PATCH', '/api/virtual-keys/ws-revoked', { budget: null, disabled: true });
    socket.create(CREATE);
    assert.deepEqual(refusal(ended(await socket.read())).slice(0, 3), ['error', 403, 'virtual_key_blocked']);

    await admin('DELETE', '/api/virtual-keys/ws-revoked');
    socket.create(CREATE);
    assert.deepEqual(refusal(ended(await socket.read())).slice(0, 3), ['error', 401, 'virtual_key_not_found']);
    assert.equal(mock.requests.length, 1, 'only the first response went upstream');

    const recorded = await waitFor(
      async () => {
        const r = await rows('ws-revoked');
        return r.length >= 4 ? r : undefined;
      },
      10_000,
      'rows of the refusals',
    );
    assert.deepEqual(
      recorded.map((r) => [r.status, r.error_type]),
      [
        [200, null],
        [403, 'model_blocked'],
        [402, 'key_budget_exceeded'],
        [403, 'virtual_key_blocked'],
      ],
      'the refusals of a key that still existed are recorded under it',
    );
  });

  test('deleted while a response’s tool call runs: no next round, the response ends with 401', { timeout: 30_000 }, async () => {
    const { key } = await admin('POST', '/api/virtual-keys', { id: 'ws-loop', models: ['openai/*'], tools: { allow: ['fix__*'] } });
    const socket = await openResponsesSocket(gw.url, key!, { track: open });
    mock.reset();
    ran = 0;
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__hold', arguments: { n: 1 } }] }, { kind: 'text', text: 'second round' });
    socket.create(CREATE);
    await waitFor(() => ran === 1, 10_000, 'the tool call at the server');
    await admin('DELETE', '/api/virtual-keys/ws-loop');
    release!();
    const events = await socket.read();
    const last = ended(events);
    // The response had started streaming: its error event (as a stream's error frame over HTTP) names the code.
    assert.deepEqual([last.type, last.code], ['error', 'virtual_key_not_found'], JSON.stringify(last));
    assert.equal(mock.requests.length, 1, 'the second round went upstream');
  });
});

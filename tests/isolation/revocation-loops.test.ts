// A key deleted, disabled or narrowed through the admin API while one of its tool loops runs
// (README, Guarantees: Isolation). The loop was admitted once and kept the key's rights as they
// were: after the key was deleted its next round still went upstream and its next tool calls still
// ran, a budget lowered below what it had spent let it go on, a model taken off its allow-list was
// still called. The key is now re-read by id at each point of use (an upstream call, a reservation,
// a tool call): the round in progress finishes, no new one starts, and the request ends with the
// error a fresh request would get (401 / 403; a budget ends the loop with the answer so far).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { FixtureTool } from '../fixtures/mcp-http-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const ADMIN = 'admin-token-revocation-loops';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** Calls of `fix__hold` that reached the server, and how to let the one waiting go. */
let ran = 0;
let release: (() => void) | undefined;
/** Whether fix__hold waits for the test (else it answers at once). */
let holding = true;

before(async () => {
  const hold: FixtureTool = {
    description: 'Answers when the test lets it',
    inputSchema: { n: z.number() },
    handler: async () => {
      ran++;
      if (holding)
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
after(() => stop?.());

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function createKey(id: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await admin('POST', '/api/virtual-keys', { id, models: ['openai/*'], tools: { allow: ['fix__*'] }, ...extra });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return (JSON.parse(text) as { key: string }).key;
}

type Surface = 'chat' | 'messages' | 'responses';

function ask(secret: string, stream = false, surface: Surface = 'chat') {
  const [path, body] =
    surface === 'chat'
      ? ['chat/completions', { model: 'openai/gpt-4o-mini', stream, messages: [{ role: 'user', content: 'use the tool' }] }]
      : surface === 'messages'
        ? [
            'messages',
            { model: 'anthropic/claude-sonnet-4-5', max_tokens: 100, stream, messages: [{ role: 'user', content: 'use the tool' }] },
          ]
        : ['responses', { model: 'openai/gpt-4o-mini', stream, input: 'use the tool' }];
  return fetch(`${gw.baseURL}/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Starts a loop whose first round calls fix__hold, waits for the call to be at the server, runs `change`, lets it go. */
async function changeWhileToolRuns(secret: string, change: () => Promise<Response>, stream = false, surface: Surface = 'chat') {
  mock.reset();
  ran = 0;
  holding = true;
  mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__hold', arguments: { n: 1 } }] }, { kind: 'text', text: 'second round' });
  const answer = ask(secret, stream, surface);
  await waitFor(() => ran === 1, 10_000, 'the tool call at the server');
  const changed = await change();
  assert.equal(changed.status, 200, await changed.text());
  release!();
  return answer;
}

async function rowOf(keyId: string) {
  const rows = await gw.query<{ status: number; error_type: string | null; rounds: number }>(
    'SELECT status, error_type, rounds FROM requests WHERE key_id = ? ORDER BY ts DESC LIMIT 1',
    keyId,
  );
  return rows[0];
}

describe('a tool loop after its key changed', () => {
  test('deleted: no next round upstream; 401 virtual_key_not_found, recorded', { timeout: 30_000 }, async () => {
    const secret = await createKey('loop-deleted');
    const res = await changeWhileToolRuns(secret, () => admin('DELETE', '/api/virtual-keys/loop-deleted'));
    const body = (await res.json()) as { error?: { type: string } };
    assert.equal(res.status, 401, JSON.stringify(body));
    assert.equal(body.error?.type, 'virtual_key_not_found');
    assert.equal(mock.requests.length, 1, 'the second round went upstream');
    const row = await rowOf('loop-deleted');
    assert.equal(row?.status, 401);
    assert.equal(row?.error_type, 'virtual_key_not_found');
  });

  test('disabled, streamed: the stream ends with an error frame, no next round', { timeout: 30_000 }, async () => {
    const secret = await createKey('loop-disabled');
    const res = await changeWhileToolRuns(secret, () => admin('PATCH', '/api/virtual-keys/loop-disabled', { disabled: true }), true);
    const text = await res.text();
    assert.match(text, /"type":"virtual_key_blocked"/);
    assert.doesNotMatch(text, /second round/);
    assert.equal(mock.requests.length, 1, 'the second round went upstream');
    assert.equal((await rowOf('loop-disabled'))?.error_type, 'virtual_key_blocked');
  });

  test('model taken off its allow-list: the next round is refused 403 model_blocked', { timeout: 30_000 }, async () => {
    const secret = await createKey('loop-narrowed');
    const res = await changeWhileToolRuns(secret, () => admin('PATCH', '/api/virtual-keys/loop-narrowed', { models: ['openai/gpt-4o'] }));
    const body = (await res.json()) as { error?: { type: string } };
    assert.equal(res.status, 403, JSON.stringify(body));
    assert.equal(body.error?.type, 'model_blocked');
    assert.equal(mock.requests.length, 1, 'the second round went upstream');
  });

  test('budget lowered below its spend: the loop ends with the answer so far, nothing more upstream', { timeout: 30_000 }, async () => {
    const secret = await createKey('loop-budget', { budget: { usd: 10, period: 'day' } });
    const res = await changeWhileToolRuns(secret, () =>
      admin('PATCH', '/api/virtual-keys/loop-budget', { budget: { usd: 0.000001, period: 'day' } }),
    );
    const body = (await res.json()) as { tollgate?: { stopped?: string } };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.tollgate?.stopped, 'budget_exceeded', JSON.stringify(body));
    assert.equal(mock.requests.length, 1, 'the second round went upstream');
  });

  test('its team’s budget lowered below the spend: the loop ends with the answer so far', { timeout: 30_000 }, async () => {
    const team = await admin('POST', '/api/teams', { id: 'loop-team', budget: { usd: 10, period: 'day' } });
    assert.equal(team.status, 201, await team.text());
    const secret = await createKey('loop-team-key', { team: 'loop-team' });
    const res = await changeWhileToolRuns(secret, () =>
      admin('PATCH', '/api/teams/loop-team', { budget: { usd: 0.000001, period: 'day' } }),
    );
    const body = (await res.json()) as { tollgate?: { stopped?: string } };
    assert.equal(body.tollgate?.stopped, 'budget_exceeded', JSON.stringify(body));
    assert.equal(mock.requests.length, 1, 'the second round went upstream');
  });

  test('a tool put under approval: the next round’s call of it is refused approval_required, not run', { timeout: 30_000 }, async () => {
    const secret = await createKey('loop-approval');
    mock.reset();
    ran = 0;
    holding = true;
    const call = (n: number) => ({ kind: 'tool_calls' as const, calls: [{ name: 'fix__hold', arguments: { n } }] });
    mock.enqueue(call(1), call(2), { kind: 'text', text: 'third round' });
    const answer = ask(secret);
    await waitFor(() => ran === 1, 10_000, 'the tool call at the server');
    const changed = await admin('PATCH', '/api/virtual-keys/loop-approval', { approval: ['fix__hold'] });
    assert.equal(changed.status, 200, await changed.text());
    holding = false;
    release!();
    const res = await answer;
    assert.equal(res.status, 200, await res.text());
    assert.equal(ran, 1, 'the tool ran again without approval');
    assert.match(JSON.stringify(mock.requests[2]?.body), /approval_required/);
  });

  test('deleted while the model answers: the tool calls of that answer do not run', { timeout: 30_000 }, async () => {
    const secret = await createKey('loop-no-tools');
    mock.reset();
    ran = 0;
    holding = false;
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__hold', arguments: { n: 2 } }], delayMs: 400 }, { kind: 'text', text: 'x' });
    const answer = ask(secret);
    await waitFor(() => mock.requests.length === 1, 10_000, 'the first round upstream');
    assert.equal((await admin('DELETE', '/api/virtual-keys/loop-no-tools')).status, 200);
    const res = await answer;
    assert.equal(res.status, 401, await res.text());
    assert.equal(ran, 0, 'the tool ran for a deleted key');
    assert.equal(mock.requests.length, 1);
  });

  for (const surface of ['messages', 'responses'] as const) {
    test(`deleted, on /v1/${surface}: no next round upstream; 401 virtual_key_not_found`, { timeout: 30_000 }, async () => {
      const id = `loop-deleted-${surface}`;
      const secret = await createKey(id, { models: ['*'] });
      const res = await changeWhileToolRuns(secret, () => admin('DELETE', `/api/virtual-keys/${id}`), false, surface);
      const text = await res.text();
      assert.equal(res.status, 401, text);
      assert.match(text, /virtual_key_not_found|not_found_error|authentication_error/);
      assert.equal(mock.requests.length, 1, 'the second round went upstream');
      assert.equal((await rowOf(id))?.status, 401);
    });
  }
});

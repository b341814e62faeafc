// GET /v1/responses/{id}, GET /v1/responses/{id}/input_items and DELETE /v1/responses/{id} each
// leave a requests row (DESIGN: one per inbound request; before, none did, though for a response a
// native upstream stored each is an upstream call under the key's credentials): surface
// `responses`, operation `retrieve` / `input_items` / `delete`, the key (also when refused: another
// key's id is a 404 recorded under the key that asked), the status, latency and error; the
// provider a native upstream's entry names, or the upstream model of the gateway's own entry.
// No llm_calls row and a cost of 0, as count_tokens: no model call, no tokens.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { passThroughProviders } from './helpers/gateway.js';
import { startStack, type Stack } from './helpers/stack.js';

const VK = 'vk-stored-ledger-owner-1';
const VK_OTHER = 'vk-stored-ledger-other-1';
const VK_LIMITED = 'vk-stored-ledger-limited-1';
let stack: Stack;
let client: OpenAI;

before(async () => {
  stack = await startStack({
    config: ({ mock }) => ({
      providers: passThroughProviders(mock, 'stored-ledger', { maxRetries: 0 }),
      teams: [{ id: 'eng' }],
      virtualKeys: [
        { id: 'owner', key: VK, team: 'eng', models: ['*'] },
        { id: 'other', key: VK_OTHER, models: ['*'] },
        { id: 'limited', key: VK_LIMITED, models: ['*'], rateLimit: { requests: 1, window: '1m' } },
      ],
    }),
  });
  client = new OpenAI({ apiKey: VK, baseURL: stack.gw.baseURL, maxRetries: 0 });
});
after(() => stack.stop());
beforeEach(() => stack.mock.reset());

/** One request with `key`; its status and x-request-id (the ledger's id). */
async function send(method: 'GET' | 'DELETE', path: string, key = VK): Promise<{ status: number; id: string }> {
  const res = await fetch(`${stack.gw.baseURL}/responses/${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return { status: res.status, id: res.headers.get('x-request-id') ?? '' };
}

interface Row {
  key_id: string | null;
  team_id: string | null;
  surface: string;
  operation: string;
  status: number;
  provider: string | null;
  model: string | null;
  upstream_model: string | null;
  error_type: string | null;
  error_message: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
  cost_unknown: number;
  latency_ms: number;
}

async function rowOf(requestId: string): Promise<Row> {
  const rows = await stack.gw.query<Row>(
    `SELECT key_id, team_id, surface, operation, status, provider, model, upstream_model, error_type, error_message,
            prompt_tokens, completion_tokens, cost_usd, cost_unknown, latency_ms
       FROM requests WHERE id = ?`,
    requestId,
  );
  assert.equal(rows.length, 1, `one requests row for ${requestId}`);
  return rows[0]!;
}

/** What every such row holds whatever it did: no tokens, a known cost of 0, a latency. */
function assertFree(row: Row): void {
  assert.deepEqual(
    [row.surface, row.model, row.prompt_tokens, row.completion_tokens, row.cost_usd, row.cost_unknown],
    ['responses', null, 0, 0, 0, 0],
  );
  assert.ok(row.latency_ms >= 0);
}

async function llmCallsOf(ids: string[]): Promise<number> {
  const [row] = await stack.gw.query<{ n: number }>(
    `SELECT count(*) AS n FROM llm_calls WHERE request_id IN (${ids.map(() => '?').join(', ')})`,
    ...ids,
  );
  return row!.n;
}

describe('stored responses: each GET and DELETE is a requests row', () => {
  test("the gateway's own: retrieve, input_items, another key's 404, delete, then 404", async () => {
    const res = await client.responses.create({ model: 'ant/claude-sonnet-4-5', input: 'remember me' });
    const got = await send('GET', res.id);
    const items = await send('GET', `${res.id}/input_items`);
    const other = await send('GET', res.id, VK_OTHER);
    const deleted = await send('DELETE', res.id);
    const gone = await send('GET', res.id);
    assert.deepEqual(
      [got, items, other, deleted, gone].map((r) => r.status),
      [200, 200, 404, 200, 404],
    );

    const ok = { key_id: 'owner', team_id: 'eng', status: 200, provider: null, upstream_model: 'claude-sonnet-4-5', error_type: null };
    const pick = (r: Row) => ({
      key_id: r.key_id,
      team_id: r.team_id,
      status: r.status,
      provider: r.provider,
      upstream_model: r.upstream_model,
      error_type: r.error_type,
    });
    for (const [sent, operation] of [
      [got, 'retrieve'],
      [items, 'input_items'],
      [deleted, 'delete'],
    ] as const) {
      const row = await rowOf(sent.id);
      assert.equal(row.operation, operation);
      assert.deepEqual(pick(row), ok, operation);
      assert.equal(row.error_message, null);
      assertFree(row);
    }
    // Refused: recorded under the key that asked, with what it was told.
    const refused = await rowOf(other.id);
    assert.deepEqual(pick(refused), {
      key_id: 'other',
      team_id: null,
      status: 404,
      provider: null,
      upstream_model: null,
      error_type: 'not_found_error',
    });
    assert.equal(refused.operation, 'retrieve');
    assert.equal(refused.error_message, `Response with id '${res.id}' not found.`);
    assertFree(refused);
    assert.equal((await rowOf(gone.id)).status, 404);
    assert.equal(await llmCallsOf([got.id, items.id, other.id, deleted.id, gone.id]), 0, 'no model call');
  });

  test("a native upstream's: the upstream call names its provider; its error status and message are the row's", async () => {
    const res = await client.responses.create({ model: 'oai/gpt-5', input: 'hello' });
    assert.match(res.id, /^resp_mock/);
    const { mock } = stack;
    mock.reset();
    mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify({ id: res.id, object: 'response', output: [] }) });
    const got = await send('GET', res.id);
    mock.enqueue({ kind: 'error', status: 404, message: 'no such input items here' });
    const items = await send('GET', `${res.id}/input_items`);
    mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify({ id: res.id, object: 'response', deleted: true }) });
    const deleted = await send('DELETE', res.id);
    assert.deepEqual([got.status, deleted.status], [200, 200]);
    assert.ok(items.status >= 400, `the upstream's refusal passed on: ${items.status}`);
    assert.deepEqual(
      mock.requests.map((r) => r.method),
      ['GET', 'GET', 'DELETE'],
      'three upstream calls',
    );

    for (const [sent, operation, status] of [
      [got, 'retrieve', 200],
      [items, 'input_items', items.status],
      [deleted, 'delete', 200],
    ] as const) {
      const row = await rowOf(sent.id);
      assert.deepEqual(
        [row.operation, row.key_id, row.status, row.provider, row.upstream_model],
        [operation, 'owner', status, 'oai', null],
        operation,
      );
      assertFree(row);
    }
    const failed = await rowOf(items.id);
    assert.ok(failed.error_type, 'the upstream error is recorded');
    assert.match(failed.error_message ?? '', /no such input items here/);
    assert.equal(await llmCallsOf([got.id, items.id, deleted.id]), 0, 'no model call');
  });

  test("a native upstream's 404 (the response or its items gone there) reaches the client as a 404 not_found_error", async () => {
    const res = await client.responses.create({ model: 'oai/gpt-5', input: 'soon gone' });
    const { mock } = stack;
    mock.reset();
    const answers: { status: number; type: string; message: string }[] = [];
    const ids: string[] = [];
    for (const [method, path] of [
      ['GET', res.id],
      ['GET', `${res.id}/input_items`],
      ['DELETE', res.id],
    ] as const) {
      mock.enqueue({ kind: 'error', status: 404, message: `No response found with id '${res.id}'.` });
      const r = await fetch(`${stack.gw.baseURL}/responses/${path}`, { method, headers: { authorization: `Bearer ${VK}` } });
      const body = (await r.json()) as { error: { type: string; message: string } };
      answers.push({ status: r.status, type: body.error.type, message: body.error.message });
      ids.push(r.headers.get('x-request-id') ?? '');
    }
    assert.equal(mock.requests.length, 3, 'each asked the upstream');
    for (const answer of answers) {
      assert.deepEqual([answer.status, answer.type], [404, 'not_found_error']);
      assert.match(answer.message, /No response found with id/);
    }
    for (const id of ids) {
      const row = await rowOf(id);
      assert.deepEqual([row.status, row.error_type, row.provider], [404, 'not_found_error', 'oai']);
    }
  });

  test("a native upstream's 404 to a DELETE removes the gateway's entry too; another failure keeps it", async () => {
    const { mock } = stack;
    const gone = await client.responses.create({ model: 'oai/gpt-5', input: 'gone upstream' });
    const kept = await client.responses.create({ model: 'oai/gpt-5', input: 'upstream down' });
    mock.reset();
    mock.enqueue({ kind: 'error', status: 404, message: `No response found with id '${gone.id}'.` });
    mock.enqueue({ kind: 'error', status: 500, message: 'upstream trouble' });
    const [deletedGone, deletedKept] = [await send('DELETE', gone.id), await send('DELETE', kept.id)];
    assert.deepEqual([deletedGone.status, deletedKept.status], [404, 502]);
    assert.equal(mock.requests.length, 2);

    // The gone one is not found without asking the upstream again.
    const after = await send('GET', gone.id);
    assert.equal(after.status, 404);
    assert.equal(mock.requests.length, 2, 'no upstream request for the removed entry');
    assert.deepEqual([(await rowOf(after.id)).provider, (await rowOf(after.id)).error_type], [null, 'not_found_error']);

    // The one whose DELETE failed otherwise is still the key's: its GET goes upstream.
    mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify({ id: kept.id, object: 'response', output: [] }) });
    const still = await send('GET', kept.id);
    assert.equal(still.status, 200);
    assert.deepEqual(
      mock.requests.map((r) => r.method),
      ['DELETE', 'DELETE', 'GET'],
    );
  });

  test('refused at admission: the rate-limited request keeps its key', async () => {
    const first = await send('GET', 'resp_made_up', VK_LIMITED);
    const second = await send('GET', 'resp_made_up', VK_LIMITED);
    assert.deepEqual([first.status, second.status], [404, 429]);
    const row = await rowOf(second.id);
    assert.deepEqual([row.key_id, row.status, row.error_type, row.operation], ['limited', 429, 'rate_limited', 'retrieve']);
    assert.equal((await rowOf(first.id)).status, 404);
  });
});

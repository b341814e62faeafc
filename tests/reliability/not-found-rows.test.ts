// A request under /v1 that no route serves (404) from a known key is an answered, authenticated
// request: it leaves its requests row, under its x-request-id, naming the key, and counts against
// the key's request rate as a 400 does (a key's mistakes cost it as its other refusals do). Before, a
// 404 left no row and the key was not looked at. Without a key, with an unknown one, or outside
// /v1, still no row: nothing was authenticated, and anyone could write them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const VK = 'vk-not-found-rows-0001';
const LIMITED = 'vk-not-found-rows-limited';
const OFF = 'vk-not-found-rows-disabled';
type Row = Record<string, unknown>;

describe('404 rows', () => {
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ gw, stop } = await startStack({
      config: {
        customers: [{ id: 'acme' }],
        teams: [{ id: 'eng', customer: 'acme' }],
        virtualKeys: [
          { id: 'lost', key: VK, team: 'eng', models: ['*'] },
          { id: 'lost-limited', key: LIMITED, models: ['*'], rateLimit: { requests: 2, window: '1h' } },
          { id: 'lost-off', key: OFF, models: ['*'], disabled: true },
        ],
      },
    }));
  });
  after(() => stop?.());

  const send = async (method: string, path: string, key?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) Object.assign(headers, { authorization: `Bearer ${key}`, 'x-api-key': key });
    const res = await fetch(`${gw.url}${path}`, { method, headers, body: method === 'POST' ? '{"input":"x"}' : undefined });
    return { status: res.status, id: res.headers.get('x-request-id')!, body: (await res.json()) as any };
  };
  const rowOf = (id: string) =>
    waitFor(
      async () =>
        (
          await gw.query<Row>(
            'SELECT key_id, team_id, customer_id, model, status, error_type, surface, operation FROM requests WHERE id = ?',
            id,
          )
        )[0],
      5_000,
      `the row of ${id}`,
    );
  const lost = (surface: string, key = 'lost'): Row => ({
    key_id: key,
    team_id: key === 'lost' ? 'eng' : null,
    customer_id: key === 'lost' ? 'acme' : null,
    model: null,
    status: 404,
    error_type: 'not_found_error',
    surface,
    operation: 'call',
  });

  test("a known key's 404 under /v1 is its row, under the API the path is under", async () => {
    for (const [method, path, surface] of [
      ['POST', '/v1/embeddings', 'chat'],
      ['GET', '/v1/chat/completions', 'chat'],
      ['POST', '/v1/messages/batches', 'messages'],
      ['GET', '/v1/responses', 'responses'],
    ] as const) {
      const res = await send(method, path, VK);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.ok(res.id, 'the 404 carries an x-request-id');
      assert.deepEqual(await rowOf(res.id), lost(surface));
    }
    // A disabled key is named too (its 404 is still the answer).
    const off = await send('POST', '/v1/embeddings', OFF);
    assert.equal(off.status, 404);
    assert.deepEqual(await rowOf(off.id), lost('chat', 'lost-off'));
  });

  test('no key, an unknown key, or a path outside /v1: a 404 and no row', async () => {
    const ids = [
      (await send('POST', '/v1/embeddings')).id,
      (await send('POST', '/v1/embeddings', 'vk-nobody-knows-this')).id,
      (await send('GET', '/favicon.ico', VK)).id,
    ];
    await gw.quiet();
    for (const id of ids) assert.deepEqual(await gw.query('SELECT id FROM requests WHERE id = ?', id), []);
  });

  test("a key's 404s count against its request rate, as its other refusals do", async () => {
    for (let i = 0; i < 2; i++) assert.equal((await send('POST', '/v1/embeddings', LIMITED)).status, 404);
    const over = await send('POST', '/v1/chat/completions', LIMITED);
    assert.equal(over.status, 429);
    assert.equal(over.body.error.type, 'rate_limited');
    // Still answered 404 past the limit (the path is what is wrong), with its row, as a 413 is.
    const past = await send('POST', '/v1/embeddings', LIMITED);
    assert.equal(past.status, 404);
    assert.deepEqual(await rowOf(past.id), lost('chat', 'lost-limited'));
  });
});

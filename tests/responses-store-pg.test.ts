// Stored responses shared by replicas (issue 18): two gateway processes on one PostgreSQL. A
// response stored on one is continued (previous_response_id), read (GET) and deleted (DELETE) on
// the other, for its key only; a response a native upstream stored is fetched from and deleted at
// that upstream, with the provider's credentials, for its key only; a code-execution container one
// replica showed a key is that key's on the other (tests/isolation/containers.test.ts). Also the
// ResponseStore contract on PostgreSQL. Skipped, saying why, without PostgreSQL.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './helpers/services.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders } from './helpers/gateway.js';
import { createPgResponseStore } from '../src/stored-responses/pg-responses.js';
import { checkResponseStore } from '../src/stored-responses/response-store-test-helpers.js';

const db = await createTestDatabase();
const skip = typeof db === 'string' ? db : false;
if (skip) console.log(`# skipping the PostgreSQL stored-response tests: ${skip}`);

const VK = 'vk-store-pg-owner-01';
const VK_OTHER = 'vk-store-pg-other-01';
let mock: MockUpstream;
let dir: string;
let a: GatewayProcess;
let b: GatewayProcess;

before(async () => {
  if (skip) return;
  mock = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), 'tollgate-store-pg-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      providers: {
        ...mockProviders(mock),
        native: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native-store' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
        },
      },
      virtualKeys: [
        { id: 'owner', key: VK, models: ['*'] },
        { id: 'other', key: VK_OTHER, models: ['*'] },
      ],
    }),
  );
  const env = { TOLLGATE_DB: (db as TestDatabase).url };
  a = await startGatewayProcess(configPath, { env });
  b = await startGatewayProcess(configPath, { env });
});
after(async () => {
  if (skip) return;
  await Promise.all([a?.stop(), b?.stop()]);
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
  await (db as TestDatabase).drop();
});
beforeEach(() => mock?.reset());

function call(gw: GatewayProcess, method: string, path: string, key: string, body?: unknown) {
  return fetch(`${gw.url}/v1/responses${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
}

test('a response stored by one replica is continued, read and deleted on the other, by its key only', { skip }, async () => {
  const first = await call(a, 'POST', '', VK, { model: 'openai/gpt-4o-mini', input: 'remember 42' });
  assert.equal(first.status, 200);
  const id = first.body.id as string;

  const next = await call(b, 'POST', '', VK, { model: 'openai/gpt-4o-mini', previous_response_id: id, input: 'what was it?' });
  assert.equal(next.status, 200, JSON.stringify(next.body));
  const sent = mock.requests.at(-1)!.body.messages.map((m: any) => `${m.role}:${m.content}`);
  assert.deepEqual(sent, ['user:remember 42', 'assistant:echo: remember 42', 'user:what was it?']);

  assert.equal((await call(b, 'GET', `/${id}`, VK)).body.id, id);
  assert.equal((await call(b, 'GET', `/${id}`, VK_OTHER)).status, 404, "another key's id is not found");
  const stolen = await call(b, 'POST', '', VK_OTHER, { model: 'openai/gpt-4o-mini', previous_response_id: id, input: 'x' });
  assert.equal(stolen.status, 400);
  assert.equal((await call(b, 'DELETE', `/${id}`, VK_OTHER)).status, 404);
  assert.deepEqual((await call(b, 'DELETE', `/${id}`, VK)).body, { id, object: 'response', deleted: true });
  assert.equal((await call(a, 'GET', `/${id}`, VK)).status, 404, 'deleted for every replica');
  assert.equal((await call(a, 'POST', '', VK, { model: 'openai/gpt-4o-mini', previous_response_id: id, input: 'x' })).status, 400);
});

test('a response a native upstream stored: GET and DELETE go to that upstream for its key, on any replica', { skip }, async () => {
  const first = await call(a, 'POST', '', VK, { model: 'native/gpt-5', input: 'hello' });
  assert.equal(first.status, 200);
  const id = first.body.id as string;
  assert.match(id, /^resp_mock/, "the upstream's own id");

  // Another key learns nothing and reaches nothing: 404, the upstream not asked.
  mock.reset();
  assert.equal((await call(b, 'GET', `/${id}`, VK_OTHER)).status, 404);
  assert.equal((await call(b, 'DELETE', `/${id}`, VK_OTHER)).status, 404);
  const stolen = await call(b, 'POST', '', VK_OTHER, { model: 'native/gpt-5', previous_response_id: id, input: 'x' });
  assert.equal(stolen.status, 400);
  assert.equal(mock.requests.length, 0);

  const got = await call(b, 'GET', `/${id}`, VK);
  assert.equal(got.status, 200);
  assert.equal(got.body.object, 'response');
  assert.deepEqual(
    mock.requests.map((r) => [r.method, r.path, r.headers.authorization]),
    [['GET', `/v1/responses/${id}`, 'Bearer sk-native-store']],
  );

  const next = await call(b, 'POST', '', VK, { model: 'native/gpt-5', previous_response_id: id, input: 'again' });
  assert.equal(next.status, 200);
  assert.equal(mock.requests.at(-1)!.body.previous_response_id, id, 'continued upstream');

  mock.reset();
  assert.equal((await call(a, 'DELETE', `/${id}`, VK)).status, 200);
  assert.deepEqual(
    mock.requests.map((r) => [r.method, r.path]),
    [['DELETE', `/v1/responses/${id}`]],
  );
  assert.equal((await call(b, 'GET', `/${id}`, VK)).status, 404, 'forgotten once deleted');
});

test("a container shown on one replica is its key's on the other, and no other key's", { skip }, async () => {
  mock.enqueue({ kind: 'text', text: 'ran it', container: 'cntr_replicas' });
  const run = { model: 'native/gpt-5', input: 'run it', store: false };
  const first = await call(a, 'POST', '', VK, { ...run, tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] });
  assert.equal(first.status, 200);
  assert.ok(JSON.stringify(first.body.output).includes('"cntr_replicas"'));
  mock.reset();
  const tools = [{ type: 'code_interpreter', container: 'cntr_replicas' }];
  const stolen = await call(b, 'POST', '', VK_OTHER, { ...run, tools });
  assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
  assert.equal(stolen.body.error.message, "Container with id 'cntr_replicas' not found.");
  assert.equal(mock.requests.length, 0);
  const own = await call(b, 'POST', '', VK, { ...run, tools });
  assert.equal(own.status, 200, JSON.stringify(own.body));
  assert.deepEqual(mock.requests.at(-1)!.body.tools, tools);
});

test('the ResponseStore contract on PostgreSQL', { skip }, async () => {
  const pool = new pg.Pool({ connectionString: (db as TestDatabase).url, max: 2 });
  try {
    await checkResponseStore(async (retention, clock) => {
      await pool.query('DELETE FROM stored_responses');
      await pool.query('DELETE FROM shown_containers');
      return createPgResponseStore(pool, retention, clock);
    });
  } finally {
    await pool.end();
  }
});

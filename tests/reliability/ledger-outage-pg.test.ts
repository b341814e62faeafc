// A PostgreSQL outage under traffic (issue 15, item 7): connections to the database are cut and
// refused (a loopback TCP proxy in front of it) while requests keep coming; the gateway keeps
// answering, and once the database is back every answered request's rows are in the ledger.
// A model name with NUL in the same run is refused (400) and its row lands, NUL stripped, instead
// of poisoning the batch. Skipped, saying why, without PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { createTestDatabase, type TestDatabase } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait-for.js';

const VK = 'vk-ledger-outage-01';
const database = await createTestDatabase();
const skip = typeof database === 'string' ? database : false;
if (skip) console.log(`# skipping the PostgreSQL outage test: ${skip}`);

let mock: MockUpstream;
let proxy: TcpProxy;
let gw: TestGateway;

before(async () => {
  if (skip) return;
  const db = database as TestDatabase;
  mock = await startMockUpstream();
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }, 'postgres');
  const proxied = new URL(db.url);
  proxied.host = new URL(proxy.url).host;
  gw = await startGateway({
    dbUrl: proxied.toString(),
    config: {
      providers: mockProviders(mock),
      virtualKeys: [{ id: 'outage', key: VK, team: 'ops', models: ['*'] }],
      teams: [{ id: 'ops' }],
      ledger: { flushIntervalMs: 20, batchSize: 50, retryMaxMs: 200 },
    },
  });
});
after(async () => {
  if (skip) return;
  proxy.up();
  await gw.close();
  await proxy.close();
  await mock.close();
  await (database as TestDatabase).drop();
});

async function chat(model: string): Promise<{ status: number; id: string }> {
  const r = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
  });
  await r.text();
  return { status: r.status, id: r.headers.get('x-request-id')! };
}

describe('ledger durability through a PostgreSQL outage', { skip }, () => {
  test('the database is cut off under traffic and comes back: every answered request is in the ledger', { timeout: 120_000 }, async () => {
    mock.fallback = () => ({ kind: 'text', text: 'answer', usage: { input: 10, output: 5 } });
    const answered: string[] = [];
    let outageAnswers = 0;
    let phase: 'before' | 'outage' | 'after' | 'stop' = 'before';
    const worker = async () => {
      while (phase !== 'stop') {
        const r = await chat('openai/gpt-4o-mini');
        assert.equal(r.status, 200, 'the gateway keeps answering while its database is away');
        answered.push(r.id);
        if (phase === 'outage') outageAnswers++;
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await waitFor(() => answered.length >= 30, 30_000, '30 answered requests before the outage');

    proxy.down();
    phase = 'outage';
    // A poisoned model name during the outage: refused, and its (stripped) row must not sink the batch it rides in.
    const poisoned = await chat('openai/gpt-4o-mini\u0000evil');
    assert.equal(poisoned.status, 400);
    await waitFor(() => gw.gateway.ledger.failures() >= 3 && outageAnswers >= 60, 60_000, 'failed writes and 60 answers during the outage');
    assert.ok(gw.gateway.ledger.depth() > 0, 'rows wait in the queue');
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 200, 'still ready: the queue has room');
    assert.equal(((await ready.json()) as { ledger: string }).ledger, 'retrying');

    proxy.up();
    phase = 'after';
    const before = answered.length;
    await waitFor(() => answered.length >= before + 20, 30_000, '20 more answers after the outage');
    phase = 'stop';
    await Promise.all(workers);

    await waitFor(() => gw.gateway.ledger.depth() === 0 && gw.gateway.ledger.failures() === 0, 30_000, 'the backlog to be written');
    const ids = new Set((await gw.query<{ id: string }>('SELECT id FROM requests WHERE status = 200')).map((r) => r.id));
    const missing = answered.filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${answered.length} answered requests missing from the ledger`);
    const [llm] = await gw.query<{ n: number }>(
      'SELECT count(DISTINCT request_id) AS n FROM llm_calls WHERE status = 200 AND prompt_tokens = 10 AND completion_tokens = 5',
    );
    assert.equal(llm!.n, answered.length, 'every answered request has its llm_calls row');
    const [refused] = await gw.query<{ model: string; status: number; key_id: string; team_id: string }>(
      'SELECT model, status, key_id, team_id FROM requests WHERE id = ?',
      poisoned.id,
    );
    assert.deepEqual(refused, { model: 'openai/gpt-4o-minievil', status: 400, key_id: 'outage', team_id: 'ops' });
    const [dead] = await gw.query<{ n: number }>('SELECT count(*) AS n FROM ledger_dead_letters');
    assert.equal(dead!.n, 0, 'nothing was a data error');
  });
});

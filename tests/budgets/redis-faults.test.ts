// Issue 14, item 7: Redis misbehaving between the gateway and its budget counters. A settle sent
// while Redis is unreachable is retried until it lands (not only logged, leaving the reservation to
// hold the budget shut); a reserve whose reply is lost is released once Redis is back; a replica
// that dies mid-request leaves reservations that expire with their lease. The network is a
// loopback TCP proxy in front of the machine's Redis. Skipped, saying why, without Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectTestRedis, REDIS_URL, type TestRedis } from '../helpers/services.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { ADMIN, EPS, figure, ledgerSpend, type LevelUsage } from './helpers.js';

const redis = await connectTestRedis();
const skip = typeof redis === 'string' ? redis : false;
if (skip) console.log(`# skipping Redis fault tests: ${skip}`);

const PRICE = { inputPerMTok: 10, outputPerMTok: 10 };
const BUDGET = 0.01;
let mock: MockUpstream;
let proxy: TcpProxy;
let gw: TestGateway;
let dir: string;

const config = (leaseMs: number) => ({
  providers: mockProviders(mock, { maxRetries: 0 }),
  pricing: { 'openai/gpt-4o-mini': PRICE },
  redis: { leaseMs },
  virtualKeys: ['settle', 'reserve', 'replica'].map((id) => ({
    id,
    key: `vk-redis-${id}-secret`,
    models: ['*'],
    budget: { usd: BUDGET, period: 'month' },
  })),
});

before(async () => {
  if (skip) return;
  mock = await startMockUpstream();
  const target = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-faults-'));
  // A long lease here: what frees the budget in these tests must be the retries, not lease expiry.
  gw = await startGateway({ adminToken: ADMIN, config: config(600_000), redis: { url: proxy.url, prefix: (redis as TestRedis).prefix } });
});
after(async () => {
  if (skip) return;
  proxy.up();
  await gw.close();
  await proxy.close();
  await mock.close();
  await (redis as TestRedis).cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const chat = (url: string, id: string, maxTokens = 100) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer vk-redis-${id}-secret`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: maxTokens, messages: [{ role: 'user', content: 'hello' }] }),
  }).then(async (r) => ({ status: r.status, body: await r.text() }));

/** Polls /api/usage (which needs Redis) until `done` holds or 20 s pass; the last reading. */
async function usageUntil(url: string, id: string, done: (u: LevelUsage) => boolean): Promise<LevelUsage | undefined> {
  const until = Date.now() + 20_000;
  let last: LevelUsage | undefined;
  while (Date.now() < until) {
    const res = await fetch(`${url}/api/usage?key=${id}`, { headers: { authorization: `Bearer ${ADMIN}` } }).catch(() => undefined);
    if (res?.status === 200) {
      last = ((await res.json()) as { data: LevelUsage[] }).data.find((u) => u.level === 'key');
      if (last && done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

describe('Redis faults', { skip }, () => {
  test('a settle sent while Redis is unreachable lands once it is back: nothing stays reserved, nothing counts twice', async () => {
    mock.enqueue({ kind: 'text', text: 'ok', usage: { input: 100, output: 100 }, delayMs: 300 });
    const pending = chat(gw.url, 'settle');
    // The reservation is in Redis once the call reached the upstream; then Redis goes away.
    await waitFor(() => mock.requests.length > 0, 5_000, 'the call to reach the upstream');
    proxy.down();
    assert.equal((await pending).status, 200);
    proxy.up();
    await usageUntil(gw.url, 'settle', (x) => x.reservedUsd < EPS);
    // Read again: spend and reservations are two reads, and the settle may land between them.
    const u = await usageUntil(gw.url, 'settle', () => true);
    const spent = await ledgerSpend(gw, 'settle');
    figure('settle during a Redis outage: still reserved afterwards', u?.reservedUsd ?? Number.NaN, BUDGET);
    assert.ok(u && u.reservedUsd < EPS, `reserved ${u?.reservedUsd} after Redis came back`);
    assert.ok(Math.abs(u.spentUsd - spent) < EPS, `counted ${u.spentUsd}, ledger ${spent}`);
    assert.ok(Math.abs(spent - (200 * 10) / 1e6) < EPS);
  });

  test('a reserve whose reply was lost is released once Redis is back', async () => {
    proxy.dropReplies();
    const res = await chat(gw.url, 'reserve');
    assert.equal(res.status, 503);
    assert.match(res.body, /budget_store_unavailable/);
    // The reserve ran in Redis; only its reply was lost. Cut and restore the link.
    proxy.down();
    proxy.up();
    const u = await usageUntil(gw.url, 'reserve', (x) => x.reservedUsd < EPS);
    figure('reserve whose reply was lost: still reserved afterwards', u?.reservedUsd ?? Number.NaN, BUDGET);
    assert.ok(u && u.reservedUsd < EPS, `reserved ${u?.reservedUsd}`);
    assert.equal(u.spentUsd, 0);
    assert.equal((await chat(gw.url, 'reserve')).status, 200, 'the budget is usable again');
  });

  test('a replica killed mid-request: its reservation expires with its lease and the budget is usable again', {
    timeout: 180_000,
  }, async () => {
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config(1500)));
    const env = {
      TOLLGATE_DB: join(dir, 'replica.db'),
      TOLLGATE_REDIS: REDIS_URL,
      TOLLGATE_REDIS_PREFIX: (redis as TestRedis).prefix,
      TOLLGATE_ADMIN_TOKEN: ADMIN,
    };
    const doomed = await startGatewayProcess(configPath, { env });
    const survivor = await startGateway({
      adminToken: ADMIN,
      config: config(1500),
      redis: { url: REDIS_URL, prefix: (redis as TestRedis).prefix },
    });
    try {
      // 600 output tokens reserve about $0.0065: one such request holds most of the $0.01 budget.
      mock.reset();
      mock.enqueue({ kind: 'hang' });
      const hung = chat(doomed.url, 'replica', 600).catch(() => undefined);
      // Killed only once its call is at the upstream (and its reservation in Redis).
      await waitFor(() => mock.requests.length === 1, 30_000, 'the doomed replica to reach the upstream');
      await usageUntil(survivor.url, 'replica', (x) => x.reservedUsd > 0.006);
      await doomed.kill();
      await hung;
      assert.equal((await chat(survivor.url, 'replica', 600)).status, 402, 'the dead replica still holds the budget');
      // Refused until the dead replica's lease runs out; the wait fails the test if it never does.
      await waitFor(
        async () => (await chat(survivor.url, 'replica', 600)).status === 200,
        15_000,
        'the reservation to expire with its lease',
        100,
      );
      const u = await usageUntil(survivor.url, 'replica', () => true);
      figure('replica killed mid-request: reserved after its lease', u?.reservedUsd ?? Number.NaN, BUDGET);
    } finally {
      await doomed.stop();
      await survivor.close();
    }
  });
});

// The CounterStore contract against the Redis on this machine (TOLLGATE_TEST_REDIS, default
// redis://127.0.0.1:6379). Skipped, saying why, when no Redis answers. Every run uses its own key
// prefix and deletes its keys afterwards.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { counterStoreContract } from '../counter-store-contract.js';
import { connectRedis } from './connect.js';
import { createRedisCounterStore, scopeExpiresAt } from './redis-counter-store.js';
import { withFailMode } from './fail-mode.js';
import { GatewayError } from '../../errors.js';

const url = process.env.TOLLGATE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const runPrefix = `tollgate-test:${randomUUID()}:`;
let redis: Redis | undefined;
try {
  redis = await connectRedis({ url, connectTimeoutMs: 1000 });
} catch (err) {
  console.log(`# skipping Redis counter store tests: ${(err as Error).message}`);
}
const skip = redis ? false : `Redis not reachable at ${url}`;
let n = 0;

after(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

counterStoreContract('redis counter store', async () => createRedisCounterStore({ redis: redis!, prefix: `${runPrefix}${n++}:` }), skip);

describe('redis counter store: Redis specifics', { skip }, () => {
  test('budget scopes expire a day after their period ends; all-time scopes never', () => {
    const start = Date.UTC(2025, 0, 1);
    assert.equal(scopeExpiresAt(`key:a:b:month:${start}`), Date.UTC(2025, 1, 1) + 86_400_000);
    assert.equal(scopeExpiresAt('key:a:none:0'), 0);
    assert.equal(scopeExpiresAt('plain'), 0);
  });

  test('the key carries the expiry; a second store (another replica) sees the same state', async () => {
    const prefix = `${runPrefix}${n++}:`;
    const a = createRedisCounterStore({ redis: redis!, prefix });
    const b = createRedisCounterStore({ redis: redis!, prefix });
    const scope = `key:k:day:${Date.UTC(2030, 0, 1)}`;
    const until = Date.now() + 60_000;
    await a.reserve('one', [{ scope, limitUsd: 1, amountUsd: 0.75 }], until);
    assert.equal((await b.reserve('two', [{ scope, limitUsd: 1, amountUsd: 0.5 }], until)).ok, false);
    assert.equal(await redis!.pexpiretime(`${prefix}budget:${scope}`), Date.UTC(2030, 0, 3));
  });

  test('an unreachable Redis: admission fails closed with 503, or open when configured', async () => {
    const conn = redis!.duplicate({ port: 1, lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    conn.on('error', () => undefined);
    const dead = createRedisCounterStore({ redis: conn, prefix: 'x:' });
    const errors: string[] = [];
    const closed = withFailMode(dead, { failOpen: false, onError: (_e, op) => errors.push(op) });
    await assert.rejects(closed.reserve('x', [{ scope: 's', limitUsd: 1, amountUsd: 0.1 }], 0), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 503);
      assert.equal(err.type, 'service_unavailable');
      assert.match(err.message, /budget store unavailable/);
      return true;
    });
    await assert.rejects(closed.hit('w', 1000, 1, 1, 0), /budget store unavailable/);
    const open = withFailMode(dead, { failOpen: true, onError: (_e, op) => errors.push(op) });
    assert.deepEqual(await open.reserve('x', [{ scope: 's', limitUsd: 1, amountUsd: 0.1 }], 0), { ok: true });
    assert.deepEqual(await open.hit('w', 1000, 1, 1, 0), { ok: true });
    assert.deepEqual(errors, ['reserve', 'rate limit', 'reserve', 'rate limit']);
  });
});

// The PostgreSQL and Redis these tests share with the machine (127.0.0.1:5432 database `test`,
// 127.0.0.1:6379; override with TOLLGATE_TEST_PG / TOLLGATE_TEST_REDIS). Each run gets its own
// database and key prefix and removes them afterwards. When a service does not answer the
// helpers return a reason, which tests pass to `skip` so `npm test` stays green without them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const PG_ADMIN_URL = process.env.TOLLGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TOLLGATE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database (CREATE DATABASE), or a skip reason. */
export async function createTestDatabase(): Promise<TestDatabase | string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (err) {
    return `PostgreSQL not reachable at ${PG_ADMIN_URL}: ${(err as Error).message}`;
  }
  const name = `tollgate_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestRedis {
  url: string;
  prefix: string;
  redis: Redis;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

export async function connectTestRedis(): Promise<TestRedis | string> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    return `Redis not reachable at ${REDIS_URL}: ${(err as Error).message}`;
  }
  const prefix = `tollgate-test:${randomBytes(6).toString('hex')}:`;
  return {
    url: REDIS_URL,
    prefix,
    redis,
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

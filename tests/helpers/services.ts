// The PostgreSQL and Redis these tests share with the machine (127.0.0.1:5432 database `test`,
// 127.0.0.1:6379; override with TOLLGATE_TEST_PG / TOLLGATE_TEST_REDIS). Each run gets its own
// database and key prefix and removes them afterwards. When a service does not answer the
// helpers return a reason, which tests pass to `skip` so `npm test` stays green without them.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
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

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (drains, flushes the ledger) and waits for the exit. */
  stop(): Promise<number | null>;
}

/** `node --import tsx src/main.ts` on a free loopback port, resolved once it listens. */
export async function spawnGateway(configPath: string, env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.on('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

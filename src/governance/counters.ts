// Wires the shared counters when TOLLGATE_REDIS is set: the Redis CounterStore behind the fail
// mode (503 or fail-open while Redis is away), the connections the registry's change notices
// use, and one log line per outage rather than one per request.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { CounterStore } from './counter-store.js';
import { connectRedis, redactUrl } from './redis/connect.js';
import { createRedisCounterStore } from './redis/redis-counter-store.js';
import { withFailMode } from './redis/fail-mode.js';

export interface Counters {
  store: CounterStore;
  /** Distinguishes this process in change notices. */
  replicaId: string;
  registryChannel: { subscriber: Redis; publisher: Redis; channel: string };
  close(): Promise<void>;
}

export async function openCounters(opts: {
  url: string;
  prefix?: string | undefined;
  failOpen: boolean;
  logger: Logger;
}): Promise<Counters> {
  const prefix = opts.prefix ?? 'tollgate:';
  const redis = await connectRedis({ url: opts.url });
  let subscriber: Redis;
  try {
    subscriber = await connectRedis({ url: opts.url });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const where = redactUrl(opts.url);
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    opts.logger.error(
      { err: err.message },
      `Redis at ${where} unreachable: budgets and rate limits ${opts.failOpen ? 'are NOT enforced (redis.failOpen)' : 'refuse requests with 503'} until it is back`,
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    opts.logger.info(`Redis at ${where} reachable again`);
  });
  const store = withFailMode(createRedisCounterStore({ redis, prefix }), {
    failOpen: opts.failOpen,
    // The connection's 'error' event already logged the outage once.
    onError: () => undefined,
  });
  return {
    store,
    replicaId: randomUUID(),
    registryChannel: { subscriber, publisher: redis, channel: `${prefix}registry-changed` },
    async close() {
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

// Opening the Redis connection used for counters (and, by the gateway, for change notices).
// Commands fail fast while Redis is away instead of queueing: a request must get its 503 (or
// fail-open pass) in about a second, not hang until Redis returns.
import { Redis } from 'ioredis';

export interface RedisConnectOptions {
  url: string;
  /** Per command; default 1000 ms. */
  commandTimeoutMs?: number;
  /** How long startup waits for the first connection; default 5000 ms. */
  connectTimeoutMs?: number;
}

export async function connectRedis(opts: RedisConnectOptions): Promise<Redis> {
  const redis = new Redis(opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs ?? 1000,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    // Keep reconnecting for as long as the process lives, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Without a listener ioredis prints every reconnect failure; the gateway reports through its logger.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${redactUrl(opts.url)}: ${(err as Error).message}`, { cause: err });
  }
  return redis;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://…';
  }
}

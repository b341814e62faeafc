// Keeps the registry of every replica in step when keys, teams or customers are written through
// the admin API of any one of them (PostgreSQL store). Two paths:
// - a periodic reload (every `intervalMs`, default 2 s): the bound on how stale a replica can be;
// - with Redis, a pub/sub notice on each write, so the others reload within milliseconds.
// Reloads are coalesced: a burst of notices causes at most one reload running plus one queued.
import type { Redis } from 'ioredis';
import type { GovernanceRegistry } from './registry.js';

export interface RegistrySyncOptions {
  registry: GovernanceRegistry;
  intervalMs: number;
  /** A subscriber connection (dedicated: a subscribed connection can send nothing else) and a publisher. */
  redis?: { subscriber: Redis; publisher: Redis; channel: string };
  /** This replica's id, so it ignores its own notices. */
  replicaId: string;
  onError: (err: Error) => void;
}

export interface RegistrySync {
  /** Tells the other replicas to reload (after a local admin write). */
  notify(): void;
  stop(): Promise<void>;
}

export async function startRegistrySync(opts: RegistrySyncOptions): Promise<RegistrySync> {
  let running: Promise<void> | null = null;
  let again = false;
  const reload = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = opts.registry
      .reload()
      .catch((err: unknown) => opts.onError(err as Error))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          reload();
        }
      });
  };
  const timer = setInterval(reload, opts.intervalMs);
  timer.unref();

  const redis = opts.redis;
  if (redis) {
    redis.subscriber.on('message', (channel: string, from: string) => {
      if (channel === redis.channel && from !== opts.replicaId) reload();
    });
    await redis.subscriber.subscribe(redis.channel);
  }

  return {
    notify() {
      redis?.publisher.publish(redis.channel, opts.replicaId).catch((err: unknown) => opts.onError(err as Error));
    },
    async stop() {
      clearInterval(timer);
      await running;
      if (redis) redis.subscriber.disconnect();
    },
  };
}

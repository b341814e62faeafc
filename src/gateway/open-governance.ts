// Opens governance for the gateway: the budget and rate-limit counters (Redis or in process), the
// registry of keys/teams/customers, budgets restored from the ledger, and, on PostgreSQL, the sync
// that re-reads what other replicas wrote. Separate from gateway.ts because this is the one part
// of start-up with an order that matters (counters → registry → restore → sync) and a failure path.
import type { Config } from '../config-schema.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/open-store.js';
import { GovernanceRegistry } from '../governance/registry.js';
import { BudgetGuard } from '../governance/budgets.js';
import { RateLimiter } from '../governance/rate-limit.js';
import { createMemoryCounterStore } from '../governance/memory-counter-store.js';
import { oldestBudgetPeriodStart, restoreBudgets } from '../governance/restore.js';
import type { Counters } from '../governance/counters.js';
import { startRegistrySync, type RegistrySync } from '../governance/sync.js';

export interface GovernanceOptions {
  config: Config;
  dataStore: Store;
  logger: Logger;
  now: () => number;
  redis?: { url: string; prefix?: string | undefined } | undefined;
  registryRefreshMs?: number | undefined;
  /** Called once budgets are restored, with what ledger retention must keep from then on. */
  onRestored: (keepLedgerSince: () => number) => void;
}

export interface Governance {
  /** Redis counters when configured (closed last on shutdown). */
  counters: Counters | undefined;
  registry: GovernanceRegistry;
  budgets: BudgetGuard;
  rateLimiter: RateLimiter;
  /** PostgreSQL only: re-reads API-created keys written by other replicas. */
  sync: RegistrySync | undefined;
}

export async function openGovernance(opts: GovernanceOptions): Promise<Governance> {
  const { config, dataStore, logger, now } = opts;
  // Shared counters when Redis is configured; otherwise in process, exactly as before.
  // Redis and PostgreSQL clients load only when configured: the embedded default never pays for them.
  const counters: Counters | undefined = opts.redis
    ? await (await import('../governance/counters.js'))
        .openCounters({ ...opts.redis, failOpen: config.redis?.failOpen ?? false, logger })
        .catch(async (err: unknown) => {
          await dataStore.close();
          throw err;
        })
    : undefined;
  let sync: RegistrySync | undefined;
  const registry = new GovernanceRegistry({ config, repository: dataStore.repository, now, onChange: () => sync?.notify() });
  await registry.load();
  for (const w of registry.warnings) logger.warn(w);
  const store = counters?.store ?? createMemoryCounterStore();
  const budgets = new BudgetGuard({
    store,
    now,
    leaseMs: config.redis?.leaseMs ?? 60_000,
    retry: {
      // The first failure of each settle/release and every 20th retry after it; it is retried until it lands.
      onError: (err, what, attempt) => {
        if (attempt === 1 || attempt % 20 === 0)
          logger.warn({ err: err.message, attempt }, `${what} failed; retrying until the budget store has it`);
      },
    },
  });
  const rateLimiter = new RateLimiter({
    store,
    now,
    maxInFlightPerKey: config.maxInFlightPerKey,
    maxInFlightPerTeam: config.maxInFlightPerTeam,
    maxToolCallsInFlightPerKey: config.maxToolCallsInFlightPerKey,
    maxToolCallsInFlightPerTeam: config.maxToolCallsInFlightPerTeam,
  });
  await restoreBudgets({ registry, budgets, spend: dataStore.spend, now });
  opts.onRestored(() => oldestBudgetPeriodStart(registry, now()));
  // Other replicas write keys to the same PostgreSQL; a SQLite file belongs to one process.
  if (dataStore.kind === 'postgres') {
    sync = await startRegistrySync({
      registry,
      intervalMs: opts.registryRefreshMs ?? 2000,
      replicaId: counters?.replicaId ?? 'local',
      ...(counters ? { redis: counters.registryChannel } : {}),
      onError: (err) => logger.warn({ err: err.message }, 'registry refresh failed'),
    });
  }
  return { counters, registry, budgets, rateLimiter, sync };
}

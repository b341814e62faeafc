// Builds createApp's deps from the parts the gateway opened: the surfaces, readiness, metrics, the
// dashboard's queries, /mcp and the admin API. Separate from gateway.ts so that file reads as the
// order things are opened in, and this one as what each route is given.
import type { Config } from '../config-schema.js';
import type { Logger } from '../logger.js';
import type { AppDeps } from '../app.js';
import type { ChatDeps } from '../chat/handler.js';
import type { ResponsesDeps } from '../responses/handler.js';
import type { Store } from '../store/open-store.js';
import type { GovernanceRegistry } from '../governance/registry.js';
import type { BudgetGuard } from '../governance/budgets.js';
import type { McpManager } from '../../mcp/manager.js';
import type { PinnedTools } from '../../mcp/pinning/index.js';
import type { McpEndpoint } from '../../mcp/server/index.js';
import type { GatewayMetrics } from '../metrics/create-metrics.js';
import { createPgDashboardQueries, createSqliteDashboardQueries } from '../dashboard/index.js';

export interface AppDepsOptions {
  config: Config;
  logger: Logger;
  chat: ChatDeps;
  responses: ResponsesDeps;
  /** True once the gateway drains: new requests get 503 and /readyz says not ready. */
  draining: () => boolean;
  dataStore: Store;
  mcp: McpManager;
  pins: PinnedTools;
  mcpEndpoint: McpEndpoint;
  metrics: GatewayMetrics;
  registry: GovernanceRegistry;
  budgets: BudgetGuard;
  adminToken?: string | undefined;
  now: () => number;
}

export function createAppDeps(opts: AppDepsOptions): AppDeps {
  const { config, logger, chat, draining, dataStore, mcp, pins, metrics, now } = opts;
  const ledger = dataStore.ledger;
  return {
    chat,
    responses: opts.responses,
    messages: { ...chat, pingIntervalMs: config.messages.pingIntervalMs, containers: opts.responses.containers },
    maxBodyBytes: config.maxBodyBytes,
    logger,
    draining,
    ledgerRoom: () => ledger.room(),
    readiness: () => {
      const servers = mcp.status();
      // A ledger retrying (database away) still takes traffic: rows wait in the queue. A full
      // queue does not: requests would only wait for room, so the load balancer should look elsewhere.
      const ledgerFull = ledger.full();
      const ledgerState = ledgerFull ? 'full' : ledger.failures() > 0 ? 'retrying' : 'up';
      // Up or down per server and nothing more: /readyz is unauthenticated, and errors can name
      // URLs or a child's stderr. Details are in GET /api/mcp-servers (admin token).
      const mcpStates = servers.map((s) => ({ name: s.name, state: s.state === 'connected' ? 'up' : 'down' }));
      return { ok: !draining() && !ledgerFull, ledger: ledgerState, mcp: mcpStates };
    },
    observe: (route, method, status, seconds) => metrics.httpRequest(route, method, status, seconds),
    metrics,
    dashboard: {
      queries: dataStore.postgres ? createPgDashboardQueries(dataStore.postgres.pool) : createSqliteDashboardQueries(dataStore.sqlite!.raw),
      mcp,
      pins,
      adminToken: opts.adminToken,
      now,
    },
    mcpServers: { mcp, adminToken: opts.adminToken },
    mcpEndpoint: opts.mcpEndpoint,
    admin: { registry: opts.registry, budgets: opts.budgets, pins, adminToken: opts.adminToken, now },
  };
}

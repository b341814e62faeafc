// Composes the gateway from config and injected I/O: database, ledger, governance, MCP, upstream,
// the Hono app. main.ts adds the process concerns (args, signals, listening); tests call this
// directly with their own paths and clocks.
import type { RequestListener, Server } from 'node:http';
import type { Hono } from 'hono';
import type { Dispatcher } from 'undici';
import type { Config } from './config-schema.js';
import { createApp, createNodeListener, type AppDeps } from './app.js';
import type { AppEnv } from './app-env.js';
import type { Logger } from './logger.js';
import { adapters } from '../providers/index.js';
import { createTargetResolver } from './chat/targets.js';
import { createUpstreamClient, createDispatcher } from './upstream/client.js';
import { withInProcessUpstreams } from './upstream/in-process.js';
import { HiddenCalls } from './chat/stitch.js';
import { createSqliteApprovalStore } from './stored-responses/sqlite-approvals.js';
import { createPgApprovalStore } from './stored-responses/pg-approvals.js';
import type { ChatDeps } from './chat/handler.js';
import type { ResponsesDeps } from './responses/handler.js';
import { createResponsesWebSocket } from './routes/responses-websocket.js';
import type { LedgerSink, Metrics, ToolRuntime } from './chat/ports.js';
import type { OpenedDatabase } from './db/open.js';
import { openStore, type Store } from './store/open-store.js';
import type { LedgerWriter } from './ledger/writer.js';
import { createPricing } from './ledger/pricing.js';
import { GovernanceRegistry } from './governance/registry.js';
import { BudgetGuard } from './governance/budgets.js';
import { RateLimiter } from './governance/rate-limit.js';
import { createMemoryCounterStore } from './governance/memory-counter-store.js';
import { createGovernanceGate } from './governance/gate.js';
import { oldestBudgetPeriodStart, restoreBudgets } from './governance/restore.js';
import type { Counters } from './governance/counters.js';
import { startRegistrySync, type RegistrySync } from './governance/sync.js';
import { McpManager } from '../mcp/manager.js';
import { PinnedTools } from '../mcp/pinning/index.js';
import { createMcpEndpoint, isLoopbackAddress, type McpEndpoint } from '../mcp/server/index.js';
import { sleep } from './chat/sleep.js';
import { createMetrics } from './metrics/create-metrics.js';
import { createPgDashboardQueries, createSqliteDashboardQueries } from './dashboard/index.js';

export interface GatewayOptions {
  config: Config;
  providersMissingKeys?: Record<string, string[]>;
  /** SQLite file path, or a postgres:// URL (ledger and config tables shared by replicas). */
  dbPath: string;
  /** Budgets and rate limits in Redis (shared by replicas) instead of in process. */
  redis?: { url: string /** Key prefix; default `tollgate:`. */; prefix?: string | undefined } | undefined;
  /** PostgreSQL only: how often API-created keys/teams/customers are re-read (default 2000 ms). */
  registryRefreshMs?: number;
  adminToken?: string | undefined;
  logger: Logger;
  /** Wall clock (epoch ms); injected so budget periods can be tested. */
  now?: () => number;
  /** Upstream connection pool; tests may pass their own. */
  dispatcher?: Dispatcher;
  retryBaseMs?: number;
  metrics?: Metrics;
  /** false only for measuring the ledger's cost (TOLLGATE_LEDGER=off): rows are discarded. */
  ledgerEnabled?: boolean;
  /** The address the server listens on: on loopback, /mcp answers only loopback Host names. */
  listenHost?: string | undefined;
}

export interface Gateway {
  app: Hono<AppEnv>;
  /** What to serve with `http.createServer(listener)`: the app, with the hot /v1 routes answered straight from Node. */
  listener: RequestListener;
  /** SQLite only (undefined with PostgreSQL). */
  db: OpenedDatabase | undefined;
  store: Store;
  ledger: LedgerWriter;
  mcp: McpManager;
  /** The MCP tools after pinning: what models and /mcp clients are offered. */
  pins: PinnedTools;
  /** The /mcp endpoint (its sessions and calls waiting for input), once the app is built. */
  readonly mcpEndpoint: McpEndpoint;
  registry: GovernanceRegistry;
  /** Serves /v1/responses in WebSocket mode on this HTTP server (other upgrades stay plain HTTP). */
  attachUpgrades(server: Server): void;
  /** Responses in progress on WebSocket connections: a shutdown waits for them too. */
  upgradesInFlight(): number;
  /** Closes the WebSocket connections (they would keep the HTTP server from closing). */
  closeUpgrades(): void;
  /** Connects MCP servers (failures are reported, never thrown). */
  start(): Promise<void>;
  /** New requests get 503 from now on. */
  drain(): void;
  /** Flushes the ledger, stops MCP servers, closes the pool and the database. */
  close(): Promise<void>;
}

const discardLedger: LedgerSink = {
  request: () => undefined,
  llmCall: () => undefined,
  toolCall: () => undefined,
  payload: () => undefined,
};

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, logger } = opts;
  const now = opts.now ?? Date.now;
  // Prometheus metrics; the closures read the ledger and MCP manager (created below) at scrape time.
  const metrics = createMetrics({
    configuredProviders: Object.keys(config.providers),
    configuredModels: [
      ...Object.entries(config.providers).flatMap(([name, p]) => p.models.map((m) => `${name}/${m}`)),
      ...Object.keys(config.pricing),
    ],
    ledgerDepth: () => ledger.depth(),
    mcpStatus: () => mcp.status(),
    pinCounts: () => pins.counts(),
    toolInfo: (name) => {
      const entry = mcp.getTool(name);
      return entry ? { server: entry.server, tool: entry.tool } : undefined;
    },
  });

  // Retention keeps the ledger rows of budget periods in force (the restore reads them); until the
  // registry is loaded it keeps everything.
  let keepLedgerSince = (): number => 0;
  const dataStore = await openStore({
    keepLedgerSince: () => keepLedgerSince(),
    location: opts.dbPath,
    ledger: config.ledger,
    onLedgerError: (err) => logger.error({ err: err.message }, 'ledger write failed'),
    onLedgerResume: (failures) => logger.warn(`ledger: writes resumed after ${failures} failed attempts`),
    onLedgerFlush: (rows, ms) => metrics.ledgerFlush(rows, ms),
    onRetentionError: (err) => logger.warn({ err: err.message }, 'ledger retention failed'),
    responses: { ttlMs: config.responses.storedTtlMs, maxPerKey: config.responses.maxStoredPerKey },
  });
  const ledger = dataStore.ledger;
  const db = dataStore.sqlite?.opened;

  // Shared counters when Redis is configured; otherwise in process, exactly as before.
  // Redis and PostgreSQL clients load only when configured: the embedded default never pays for them.
  const counters: Counters | undefined = opts.redis
    ? await (await import('./governance/counters.js'))
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
  const rateLimiter = new RateLimiter({ store, now });
  await restoreBudgets({ registry, budgets, spend: dataStore.spend, now });
  keepLedgerSince = () => oldestBudgetPeriodStart(registry, now());
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

  const mcp = new McpManager({ servers: config.mcpServers, logger });
  // Tool pinning sits between the manager and everything that offers or calls tools; loaded before
  // the manager connects so the first discovery is already compared with the stored pins.
  const pins = new PinnedTools({
    source: mcp,
    store: dataStore.pins,
    modeOf: (server) => config.mcpServers[server]?.pin ?? 'strict',
    logger,
  });
  await pins.load();
  const tools: ToolRuntime = pins;
  const gate = createGovernanceGate({ registry, budgets, rateLimiter, defaultLoop: config.loop, logger });
  const pricing = createPricing({ overrides: config.pricing, toolCosts: config.toolCosts, unpricedModels: config.unpricedModels });
  for (const [name, p] of Object.entries(config.providers)) {
    for (const model of p.models) {
      if (!pricing.priceOf(name, model))
        logger.warn(
          `no price for ${name}/${model}: its cost is recorded as NULL (flagged cost_unknown) until "pricing" in the config has it`,
        );
    }
  }
  // The built-in demo provider answers in-process (providers/demo); nothing else does.
  const inProcess = Object.values(config.providers).flatMap((p) => adapters[p.type]?.inProcess ?? []);
  const upstream = withInProcessUpstreams(createUpstreamClient(opts.dispatcher ?? createDispatcher()), [...new Set(inProcess)]);
  const targets = createTargetResolver(config.providers, adapters, opts.providersMissingKeys);
  const perf = () => performance.now();
  const sink: LedgerSink = opts.ledgerEnabled === false ? discardLedger : ledger;

  const chat: ChatDeps = {
    gate,
    targets,
    toolsFor: (access, header) => gate.toolsFor(access, header, tools),
    llm: { upstream, sleep, random: Math.random, retryBaseMs: opts.retryBaseMs ?? 250, maxRetryWaitMs: 20_000 },
    pricing,
    ledger: sink,
    metrics: opts.metrics ?? metrics,
    tools,
    hidden: new HiddenCalls(),
    sessionHeaders: config.sessionHeaders.map((h) => h.toLowerCase()),
    requestLimits: config.requestLimits,
    now: perf,
    payloads: config.ledger.payloads,
  };

  let draining = false;
  // Tollgate as an MCP server: the same key, tool list and governed tool call as the chat loop.
  const endpoint = config.mcpEndpoint;
  const mcpEndpoint = createMcpEndpoint({
    gate,
    mcp: pins,
    offers: mcp.offers,
    governance: gate,
    toolsFor: (access) => gate.toolsFor(access, undefined, tools),
    toolCalls: { tools, pricing, ledger: sink, metrics: chat.metrics, now: perf, payloads: config.ledger.payloads },
    ledger: sink,
    limits: {
      maxSessions: endpoint.maxSessions,
      maxSessionsPerKey: endpoint.maxSessionsPerKey,
      idleTimeoutMs: endpoint.sessionIdleMs,
      maxLifetimeMs: endpoint.sessionMaxAgeMs,
      inputTimeoutMs: endpoint.inputTimeoutMs,
      maxPendingPerKey: endpoint.maxPendingPerKey,
      listTtlMs: endpoint.listTtlMs,
      maxSubscriptionsPerSession: endpoint.maxSubscriptionsPerSession,
    },
    origin: {
      allowedOrigins: endpoint.allowedOrigins,
      allowedHosts: endpoint.allowedHosts,
      loopback: isLoopbackAddress(opts.listenHost),
    },
    now,
    onError: (err) => logger.warn({ err: err.message }, 'mcp endpoint notification failed'),
  });
  const responses: ResponsesDeps = {
    ...chat,
    responses: dataStore.responses,
    onStoreError: (err) => logger.warn({ err: err.message }, 'a Responses response could not be stored'),
    mcpServers: new Set(Object.keys(config.mcpServers)),
    operatorApproval: (access) => (name) => access.needsApproval(name),
    approvals: dataStore.postgres ? createPgApprovalStore(dataStore.postgres.pool) : createSqliteApprovalStore(dataStore.sqlite!.raw),
    approvalTtlMs: 60 * 60 * 1000,
  };
  const responsesWs = createResponsesWebSocket({
    deps: responses,
    maxPayloadBytes: config.maxBodyBytes,
    draining: () => draining,
    ledgerRoom: () => ledger.room(),
    logger,
  });
  const appDeps: AppDeps = {
    chat,
    responses,
    messages: { ...chat, pingIntervalMs: config.messages.pingIntervalMs },
    maxBodyBytes: config.maxBodyBytes,
    logger,
    draining: () => draining,
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
      return { ok: !draining && !ledgerFull, ledger: ledgerState, mcp: mcpStates };
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
    mcpEndpoint,
    admin: { registry, budgets, pins, adminToken: opts.adminToken, now },
  };
  const app = createApp(appDeps);

  return {
    app,
    listener: createNodeListener(app, appDeps),
    db,
    store: dataStore,
    ledger,
    mcp,
    pins,
    registry,
    mcpEndpoint,
    attachUpgrades: (server) => responsesWs.attach(server),
    upgradesInFlight: () => responsesWs.inFlight(),
    closeUpgrades: () => responsesWs.close(),
    start: () => mcp.start(),
    drain: () => {
      draining = true;
    },
    async close() {
      draining = true;
      responsesWs.close();
      await sync?.stop();
      await mcpEndpoint.close();
      await mcp.stop();
      pins.stop();
      await pins.flush();
      // Settles and releases still retrying get a bounded wait; what is left is covered by leases.
      const unsettled = await budgets.close(5000);
      if (unsettled > 0)
        logger.warn(`${unsettled} budget settles/releases did not land before shutdown; their reservations expire with their leases`);
      await dataStore.close();
      await upstream.close();
      await counters?.close();
    },
  };
}

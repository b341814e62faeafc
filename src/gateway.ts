// Composes the gateway from config and injected I/O: database, ledger, governance, MCP, upstream,
// the Hono app. main.ts adds the process concerns (args, signals, listening); tests call this
// directly with their own paths and clocks. This file is the order things are opened in; what each
// part is built from lives in src/gateway/ (governance, the loop's deps, /mcp, the app's deps,
// shutdown).
import type { RequestListener, Server } from 'node:http';
import { HOSTED_PRICE_PREFIX } from './config-hosted-tools.js';
import type { Hono } from 'hono';
import type { Dispatcher } from 'undici';
import type { Config } from './config-schema.js';
import { createApp, createNodeListener } from './app.js';
import type { AppEnv } from './app-env.js';
import type { Logger } from './logger.js';
import { createResponsesWebSocket } from './routes/responses-websocket.js';
import type { LedgerSink, Metrics, ToolRuntime } from './chat/ports.js';
import type { OpenedDatabase } from './db/open.js';
import { openStore, type Store } from './store/open-store.js';
import type { LedgerWriter } from './ledger/writer.js';
import type { GovernanceRegistry } from './governance/registry.js';
import { createGovernanceGate } from './governance/gate.js';
import { McpManager } from '../mcp/manager.js';
import { PinnedTools } from '../mcp/pinning/index.js';
import type { McpEndpoint } from '../mcp/server/index.js';
import { createMetrics, type GatewayMetrics } from './metrics/create-metrics.js';
import { openGovernance } from './gateway/open-governance.js';
import { createChatDeps } from './gateway/chat-deps.js';
import { createGatewayMcpEndpoint } from './gateway/mcp-endpoint.js';
import { containerDeps, createResponsesDeps } from './gateway/responses-deps.js';
import { createAppDeps } from './gateway/app-deps.js';
import { closeGateway } from './gateway/shutdown.js';

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
  /** The Prometheus metrics GET /metrics renders (readable while draining, when /metrics answers 503). */
  metrics: GatewayMetrics;
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
      ...Object.keys(config.pricing).filter((k) => !k.startsWith(HOSTED_PRICE_PREFIX)),
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

  const governance = await openGovernance({
    config,
    dataStore,
    logger,
    now,
    redis: opts.redis,
    registryRefreshMs: opts.registryRefreshMs,
    onRestored: (keep) => {
      keepLedgerSince = keep;
    },
  });
  const { registry, budgets, rateLimiter } = governance;

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
  const sink: LedgerSink = opts.ledgerEnabled === false ? discardLedger : ledger;
  const { chat, upstream } = createChatDeps({
    config,
    logger,
    gate,
    tools,
    ledger: sink,
    metrics: opts.metrics ?? metrics,
    providersMissingKeys: opts.providersMissingKeys,
    dispatcher: opts.dispatcher,
    retryBaseMs: opts.retryBaseMs,
    audio: containerDeps(dataStore, logger, 'an audio id'),
  });

  let draining = false;
  const isDraining = () => draining;
  const mcpEndpoint = createGatewayMcpEndpoint({ config, logger, gate, mcp, pins, chat, ledger: sink, now, listenHost: opts.listenHost });
  const responses = createResponsesDeps({ config, logger, chat, dataStore });
  const responsesWs = createResponsesWebSocket({
    deps: responses,
    maxPayloadBytes: config.maxBodyBytes,
    maxConnectionsPerKey: config.responses.webSocket.maxConnectionsPerKey,
    idleTimeoutMs: config.responses.webSocket.idleTimeoutMs,
    draining: isDraining,
    ledgerRoom: () => ledger.room(),
    logger,
  });
  const appDeps = createAppDeps({
    config,
    logger,
    chat,
    responses,
    draining: isDraining,
    dataStore,
    mcp,
    pins,
    mcpEndpoint,
    metrics,
    registry,
    budgets,
    adminToken: opts.adminToken,
    now,
  });
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
    metrics,
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
      await closeGateway({ logger, closeUpgrades: () => responsesWs.close(), governance, mcpEndpoint, mcp, pins, dataStore, upstream });
    },
  };
}

// Process entry: args → config → gateway (db, ledger, governance, MCP) → listen. SIGTERM/SIGINT
// drain: new requests get 503, in-flight ones finish within a grace period, the ledger is flushed.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { demoProviders, refuseDemoInProduction } from './demo-guard.js';
import { createGateway } from './gateway.js';
import { createHttpServer } from './gateway/http-server.js';
import { startupSummary } from './startup-summary.js';

const DEFAULT_GRACE_MS = 15_000;

// Memory (issue 20, bench/README.md "Memory"): under sustained load V8 sizes the old generation
// from its allocation rate, not from what is live. The live heap stays at 40–50 MB, yet with the
// default growing factor (up to 4× the live size) the reserved old space climbed to 134 MB after
// 3 × 30 s at 64 connections (RSS 269 MB); capped at 1.25× it held at 58 MB (RSS 191 MB). The
// price is more frequent (concurrent) mark-compact collections under load. Unlike
// --max-old-space-size this sets no limit: a heap that really needs more still grows. Read at each
// collection, so setting it here (not on the command line) takes effect. What can only be set when
// the process starts (V8's semi-space size, glibc's malloc arenas) is in `npm start` (package.json).
setFlagsFromString('--heap-growing-percent=25');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const env = process.env;
  const configPath = values.config ?? env.TOLLGATE_CONFIG ?? 'tollgate.config.json';
  const port = Number(values.port ?? env.PORT ?? 8080);
  const host = values.host ?? env.HOST ?? '0.0.0.0';
  const dbPath = env.TOLLGATE_DB ?? './data/tollgate.db';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port "${values.port ?? env.PORT}"`);
  // TOLLGATE_REDIS shares budgets and rate limits between replicas (README, "Running several replicas").
  const redis = env.TOLLGATE_REDIS ? { url: env.TOLLGATE_REDIS, prefix: env.TOLLGATE_REDIS_PREFIX || undefined } : undefined;
  if (redis && !/^rediss?:\/\//.test(redis.url)) throw new ConfigError('TOLLGATE_REDIS: expected a redis:// or rediss:// URL');

  const logger = pino({ level: env.LOG_LEVEL ?? 'info', base: undefined });
  const { config, warnings, providersMissingKeys } = await loadConfig(configPath, env);
  for (const w of warnings) logger.warn(w);
  refuseDemoInProduction(config, env, configPath);

  // TOLLGATE_LEDGER=off exists to measure what the ledger costs (npm run bench); never for production.
  const ledgerEnabled = env.TOLLGATE_LEDGER !== 'off';
  if (!ledgerEnabled) logger.warn('TOLLGATE_LEDGER=off: nothing is recorded (benchmarking only)');
  const gateway = await createGateway({
    config,
    providersMissingKeys,
    dbPath,
    adminToken: env.TOLLGATE_ADMIN_TOKEN || undefined,
    logger,
    ledgerEnabled,
    redis,
    listenHost: host,
  });
  await gateway.start();

  // With the server's own limits on slow and idle clients (config `server`).
  const server = createHttpServer(gateway.listener, config.server);
  server.listen(port, host, () => {
    const info = server.address() as AddressInfo;
    process.stdout.write(
      startupSummary({
        config,
        providersMissingKeys,
        mcp: gateway.mcp.status(),
        keys: gateway.registry.listKeys().length,
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${info.port}`,
        dbPath: gateway.store.label + (redis ? `; counters: Redis (${redis.prefix ?? 'tollgate:'})` : ''),
        adminToken: Boolean(env.TOLLGATE_ADMIN_TOKEN),
        pins: gateway.pins.counts(),
        demo: demoProviders(config),
        warnings: gateway.registry.warnings,
      }),
    );
  });

  // /v1/responses in WebSocket mode (Codex).
  gateway.attachUpgrades(server);

  // Requests in progress, counted at the socket level so streamed responses count until they end.
  let inflight = 0;
  server.on('request', (_req, res) => {
    inflight++;
    res.once('close', () => inflight--);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining`);
    // While in-flight requests finish, the listener stays open and new requests get a clear 503
    // (load balancers see /readyz fail too); then it closes and the ledger is flushed.
    gateway.drain();
    const deadline = Date.now() + Number(env.TOLLGATE_SHUTDOWN_GRACE_MS ?? DEFAULT_GRACE_MS);
    while ((inflight > 0 || gateway.upgradesInFlight() > 0) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    // WebSocket connections outlive their responses; open, they would keep server.close() waiting.
    gateway.closeUpgrades();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await gateway.close();
    logger.info('stopped; ledger flushed');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`tollgate: ${err.message}\n`);
  } else {
    process.stderr.write(`tollgate: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});

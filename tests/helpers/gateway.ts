// Starts the real gateway on a loopback port, with a fresh SQLite file, for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createHttpServer } from '../../src/gateway/http-server.js';
import type { Logger } from '../../src/logger.js';

export interface TestGateway {
  url: string;
  /** For the openai SDK: `${url}/v1`. */
  baseURL: string;
  gateway: Gateway;
  /** The HTTP server (e.g. to watch its WebSocket upgrades). */
  server: Server;
  /** The SQLite file, or the postgres:// URL when TOLLGATE_TEST_DB_URL selects PostgreSQL. */
  dbPath: string;
  logs: string[];
  /** Flushes the ledger and pending pin writes, then runs a read-only query (`?` placeholders on either store). */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /**
   * Waits until no requests row has landed for `ms`. A stream's rows come after its client's end
   * (its last round's effects and the requests row run once the client has its last byte), a few
   * turns after it, so a count taken at the end of an SDK call may still race them. Since the round
   * ends at the terminal event that ended the client's answer (tests/early-end-ledger.test.ts) they
   * no longer wait for the upstream's body end, but a guard against the race stays cheap.
   */
  quiet(ms?: number): Promise<void>;
  /** The ledger and governance tables of whichever store runs. */
  tables(): Promise<string[]>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Raw config (as in tollgate.config.json); `${VAR}` resolved from `env`. */
  config: Record<string, unknown>;
  env?: Record<string, string>;
  adminToken?: string;
  now?: () => number;
  /** Budgets and rate limits in this Redis (tests/helpers/services.ts connectTestRedis). */
  redis?: { url: string; prefix: string };
  /** A postgres:// URL or a SQLite path instead of a fresh SQLite file (replicas sharing a database, restarts). */
  dbUrl?: string;
}

export function memoryLogger(lines: string[]): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) =>
    void lines.push(`${level} ${typeof obj === 'string' ? obj : JSON.stringify(obj)} ${msg ?? ''}`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export async function startGateway(opts: StartOptions): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  // tests/ledger-pg.test.ts sets this to run the same tests on PostgreSQL (a fresh database).
  const location = opts.dbUrl ?? process.env.TOLLGATE_TEST_DB_URL;
  const pgUrl = location && /^postgres(ql)?:\/\//.test(location) ? location : undefined;
  const dbPath = location ?? join(dir, 'tollgate.db');
  const pool = pgUrl ? new pg.Pool({ connectionString: pgUrl, max: 2, types: { getTypeParser: numericParser } }) : undefined;
  // An idle connection cut by a test (a database outage through a proxy) must not crash the run.
  pool?.on('error', () => undefined);
  const { config, providersMissingKeys } = parseConfig(JSON.stringify(opts.config), 'test config', opts.env ?? {});
  const logs: string[] = [];
  const gateway = await createGateway({
    config,
    providersMissingKeys,
    dbPath,
    adminToken: opts.adminToken,
    logger: memoryLogger(logs),
    retryBaseMs: 5,
    listenHost: '127.0.0.1',
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.redis ? { redis: opts.redis } : {}),
  });
  await gateway.start();
  // The listener main.ts serves with (the hot /v1 routes straight from Node, the rest through Hono).
  const server = createHttpServer(gateway.listener, config.server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.attachUpgrades(server);
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    gateway,
    server,
    dbPath,
    logs,
    async query(sql, ...params) {
      // Pin writes are asynchronous on either store; on PostgreSQL each is a round trip.
      await Promise.all([gateway.ledger.flush(), gateway.pins.flush()]);
      if (pool) {
        let i = 0;
        return (
          await pool.query(
            sql.replace(/\?/g, () => `$${++i}`),
            params,
          )
        ).rows as never;
      }
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as never;
      } finally {
        db.close();
      }
    },
    async quiet(ms = 50) {
      const count = async () => (await (this as TestGateway).query<{ n: number }>('SELECT count(*) AS n FROM requests'))[0]!.n;
      let last = await count();
      for (;;) {
        await new Promise((r) => setTimeout(r, ms));
        const now = await count();
        if (now === last) return;
        last = now;
      }
    },
    async tables() {
      const sql = pool
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        : "SELECT name FROM sqlite_master WHERE type = 'table'";
      await gateway.ledger.flush();
      if (pool) return (await pool.query<{ name: string }>(sql)).rows.map((t) => t.name);
      const db = new Database(dbPath, { readonly: true });
      try {
        return (db.prepare(sql).all() as { name: string }[]).map((t) => t.name);
      } finally {
        db.close();
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await pool?.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// As the gateway's own pool (src/db/pg/open.ts): counts and sums as JS numbers, like SQLite.
const numericParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/** A config with one OpenAI-type and one Anthropic-type provider pointing at the mock upstream. */
export function mockProviders(mock: { openaiBaseUrl: string; anthropicBaseUrl: string }, extra: Record<string, unknown> = {}) {
  return {
    openai: {
      type: 'openai',
      baseUrl: mock.openaiBaseUrl,
      keys: [{ value: 'sk-test-openai-secret' }],
      models: ['gpt-4o-mini'],
      maxRetries: 2,
      ...extra,
    },
    anthropic: {
      type: 'anthropic',
      baseUrl: mock.anthropicBaseUrl,
      keys: [{ value: 'sk-ant-test-secret' }],
      models: ['claude-sonnet-4-5'],
      maxRetries: 2,
      ...extra,
    },
  };
}

/**
 * The pass-through tests' providers on the mock: `oai` speaks chat and Responses (gpt-5), `ant` is
 * Anthropic (claude-sonnet-4-5); their keys sk-`tag` and sk-ant-`tag`; `extra` on both (e.g. maxRetries).
 */
export function passThroughProviders(
  mock: { openaiBaseUrl: string; anthropicBaseUrl: string },
  tag: string,
  extra: Record<string, unknown> = {},
) {
  return {
    oai: {
      type: 'openai',
      baseUrl: mock.openaiBaseUrl,
      keys: [{ value: `sk-${tag}` }],
      models: ['gpt-5'],
      apis: ['chat', 'responses'],
      ...extra,
    },
    ant: { type: 'anthropic', baseUrl: mock.anthropicBaseUrl, keys: [{ value: `sk-ant-${tag}` }], models: ['claude-sonnet-4-5'], ...extra },
  };
}

// Starts the real gateway on a loopback port, with a fresh SQLite file, for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import Database from 'better-sqlite3';
import { parseConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import type { Logger } from '../../src/app.js';

export interface TestGateway {
  url: string;
  /** For the openai SDK: `${url}/v1`. */
  baseURL: string;
  gateway: Gateway;
  dbPath: string;
  logs: string[];
  /** Flushes the ledger and runs a read-only query on the database file. */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Raw config (as in tollgate.config.json); `${VAR}` resolved from `env`. */
  config: Record<string, unknown>;
  env?: Record<string, string>;
  adminToken?: string;
  now?: () => number;
}

export function memoryLogger(lines: string[]): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => void lines.push(`${level} ${typeof obj === 'string' ? obj : JSON.stringify(obj)} ${msg ?? ''}`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export async function startGateway(opts: StartOptions): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const dbPath = join(dir, 'tollgate.db');
  const { config, providersMissingKeys } = parseConfig(JSON.stringify(opts.config), 'test config', opts.env ?? {});
  const logs: string[] = [];
  const gateway = await createGateway({ config, providersMissingKeys, dbPath, adminToken: opts.adminToken, logger: memoryLogger(logs), retryBaseMs: 5, ...(opts.now ? { now: opts.now } : {}) });
  await gateway.start();
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: gateway.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    gateway,
    dbPath,
    logs,
    async query(sql, ...params) {
      await gateway.ledger.flush();
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as never;
      } finally {
        db.close();
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A config with one OpenAI-type and one Anthropic-type provider pointing at the mock upstream. */
export function mockProviders(mock: { openaiBaseUrl: string; anthropicBaseUrl: string }, extra: Record<string, unknown> = {}) {
  return {
    openai: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-test-openai-secret' }], models: ['gpt-4o-mini'], maxRetries: 2, ...extra },
    anthropic: { type: 'anthropic', baseUrl: mock.anthropicBaseUrl, keys: [{ value: 'sk-ant-test-secret' }], models: ['claude-sonnet-4-5'], maxRetries: 2, ...extra },
  };
}

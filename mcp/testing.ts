// Helpers shared by this folder's tests (not a test file itself).
import { fileURLToPath } from 'node:url';
import type { McpServerConfig } from '../src/config-schema.js';

export function httpConfig(url: string, extra: Partial<{ transport: 'http' | 'sse'; callTimeoutMs: number }> = {}): McpServerConfig {
  return { transport: extra.transport ?? 'http', url, headers: {}, callTimeoutMs: extra.callTimeoutMs ?? 5_000, pin: 'off' };
}

const everythingEntry = new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url);

/** The reference server over stdio, started with this very node binary. */
export function everythingConfig(env: Record<string, string> = {}): McpServerConfig {
  return {
    transport: 'stdio',
    command: process.execPath,
    args: [fileURLToPath(everythingEntry), 'stdio'],
    env,
    callTimeoutMs: 5_000,
    pin: 'off',
  };
}

export const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

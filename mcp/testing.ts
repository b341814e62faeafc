// Helpers shared by this folder's tests (not a test file itself).
import { fileURLToPath } from 'node:url';
import type { McpServerConfig } from '../src/config-schema.js';

/** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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

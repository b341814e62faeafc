// Opens one MCP client connection per configured server: stdio (a child process), Streamable
// HTTP, or the older HTTP+SSE transport. Transports:
// https://modelcontextprotocol.io/specification/2025-06-18/basic/transports
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServerConfig } from '../src/config-schema.js';
import { StderrTail } from './stderr-tail.js';

export type TransportKind = 'stdio' | 'http' | 'sse';

export interface ConnectOptions {
  clientInfo?: { name: string; version: string };
  /** Timeout of the initialize handshake. */
  timeoutMs?: number;
}

export interface ConnectedServer {
  client: Client;
  /** The transport actually in use ('sse' after a fallback from 'http'). */
  transport: TransportKind;
  /** Last lines the stdio child wrote to stderr ('' for HTTP). */
  stderrTail(): string;
  /** The stdio child's process id. */
  pid?: number;
  /** Closes the client and transport; for stdio this ends the child process. */
  close(): Promise<void>;
}

const DEFAULT_CLIENT_INFO = { name: 'tollgate', version: '0.1.0' };
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

// Beyond the SDK's sudo-style list (HOME, LOGNAME, PATH, SHELL, TERM, USER): locale, temp dir
// and time zone, which programs need to behave normally and which carry no secrets.
const EXTRA_SAFE_ENV = ['LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR', 'TEMP', 'TMP', 'TZ'];

/**
 * The stdio child's whole environment: a minimal safe base plus the server's configured env.
 * Never process.env wholesale, so gateway secrets (provider keys, admin token) stay in the gateway.
 */
export function childEnvironment(configured: Record<string, string>): Record<string, string> {
  const env = getDefaultEnvironment();
  for (const key of EXTRA_SAFE_ENV) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...configured };
}

/**
 * Per the spec's backwards-compatibility rule, a 4xx on the first POST means the server predates
 * Streamable HTTP and the client should try the HTTP+SSE transport. 401/403 are left alone so an
 * auth failure is reported as one rather than as a confusing SSE error.
 * https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#backwards-compatibility
 */
export function shouldFallBackToSse(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError)) return false;
  const code = error.code ?? 0;
  return code >= 400 && code < 500 && code !== 401 && code !== 403;
}

async function open(transport: Transport, opts: ConnectOptions): Promise<Client> {
  const client = new Client(opts.clientInfo ?? DEFAULT_CLIENT_INFO, { capabilities: {} });
  await client.connect(transport, { timeout: opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS });
  return client;
}

async function connectStdio(
  name: string,
  config: Extract<McpServerConfig, { transport: 'stdio' }>,
  opts: ConnectOptions,
): Promise<ConnectedServer> {
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: childEnvironment(config.env),
    ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
    // Piped, not inherited: a chatty server must not write into the gateway's own logs.
    stderr: 'pipe',
  });
  const tail = new StderrTail();
  transport.stderr?.on('data', (chunk: Buffer | string) => tail.push(chunk));
  try {
    const client = await open(transport, opts);
    const pid = transport.pid ?? undefined;
    return {
      client,
      transport: 'stdio',
      ...(pid !== undefined ? { pid } : {}),
      stderrTail: () => tail.text(),
      close: () => client.close(),
    };
  } catch (err) {
    await transport.close().catch(() => undefined);
    // Give the child's last stderr bytes a moment to arrive: they usually say why it failed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stderr = tail.text();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`MCP server "${name}" (stdio: ${config.command}) failed to start: ${reason}${stderr ? `\nstderr: ${stderr}` : ''}`, {
      cause: err,
    });
  }
}

async function connectHttp(
  name: string,
  config: Extract<McpServerConfig, { transport: 'http' | 'sse' }>,
  opts: ConnectOptions,
): Promise<ConnectedServer> {
  const url = new URL(config.url);
  const requestInit: RequestInit = { headers: config.headers };
  const sse = async (): Promise<ConnectedServer> => {
    // The SDK adds requestInit.headers to both the event stream GET and the message POSTs.
    const transport = new SSEClientTransport(url, { requestInit });
    const client = await open(transport, opts);
    return { client, transport: 'sse', stderrTail: () => '', close: () => client.close() };
  };
  try {
    if (config.transport === 'sse') return await sse();
    try {
      const client = await open(new StreamableHTTPClientTransport(url, { requestInit }), opts);
      return { client, transport: 'http', stderrTail: () => '', close: () => client.close() };
    } catch (err) {
      if (!shouldFallBackToSse(err)) throw err;
      return await sse();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`MCP server "${name}" (${config.transport}: ${config.url}) is unreachable: ${reason}`, { cause: err });
  }
}

/** Connects to one configured MCP server and completes the initialize handshake. */
export async function connectServer(name: string, config: McpServerConfig, opts: ConnectOptions = {}): Promise<ConnectedServer> {
  return config.transport === 'stdio' ? connectStdio(name, config, opts) : connectHttp(name, config, opts);
}

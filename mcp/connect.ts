// Opens one MCP client connection per configured server: stdio (a child process), Streamable
// HTTP, or the older HTTP+SSE transport, on the newest protocol revision the server speaks: the
// client probes with server/discover (2026-07-28) and falls back to the initialize handshake
// (2025-11-25 and earlier) when the server predates it.
// Transports: https://modelcontextprotocol.io/specification/2026-07-28/basic/transports
// Negotiation: https://modelcontextprotocol.io/specification/2026-07-28/basic/versioning#backward-compatibility-with-initialization-based-versions
import {
  type Client,
  SSEClientTransport,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type PriorDiscovery,
  type Transport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { handPlainResults, readPlainResults } from './stdio-read.js';
import type { McpServerConfig } from '../src/config-schema.js';
import { GatewayClient } from './gateway-client.js';
import { StderrTail } from './stderr-tail.js';
import { redactUrl } from '../src/secrets/redact.js';
import { lookupUser, runAs } from './run-as.js';

export type TransportKind = 'stdio' | 'http' | 'sse';
/** `modern`: 2026-07-28 (stateless, per-request metadata); `legacy`: an initialize handshake. */
export type ProtocolEra = 'modern' | 'legacy';

export interface ConnectOptions {
  clientInfo?: { name: string; version: string };
  /** Timeout of the discovery probe and the initialize handshake. */
  timeoutMs?: number;
  /** Registers request and notification handlers on the client before it connects. */
  prepare?: (client: Client) => void;
  /** The era found by an earlier connection to the same server: skips the discovery probe. */
  prior?: PriorDiscovery | undefined;
}

export interface ConnectedServer {
  client: Client;
  /** The transport actually in use ('sse' after a fallback from 'http'). */
  transport: TransportKind;
  era: ProtocolEra;
  protocolVersion: string | undefined;
  /** What to pass as `prior` when reconnecting to this server. */
  verdict: PriorDiscovery;
  /** Last lines the stdio child wrote to stderr ('' for HTTP). */
  stderrTail(): string;
  /** The stdio child's process id. */
  pid?: number;
  /** Closes the client and transport; for stdio this ends the child process. */
  close(): Promise<void>;
}

const DEFAULT_CLIENT_INFO = { name: 'tollgate', version: '0.1.0' };
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

// The gateway relays what a server asks of its client to the MCP client of the session that made
// the call (see call-context.ts), so it declares what such a client may be able to do; a call
// whose caller cannot answer gets a clear refusal instead.
const CLIENT_CAPABILITIES = { elicitation: { form: {}, url: {} }, sampling: {} };

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
 * https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#backward-compatibility
 */
export function shouldFallBackToSse(error: unknown): boolean {
  if (!(error instanceof SdkHttpError)) return false;
  const status = error.status;
  return status >= 400 && status < 500 && status !== 401 && status !== 403;
}

async function open(transport: Transport, opts: ConnectOptions, negotiate: boolean): Promise<Client> {
  const timeout = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const client = new GatewayClient(opts.clientInfo ?? DEFAULT_CLIENT_INFO, {
    capabilities: CLIENT_CAPABILITIES,
    // 'auto' probes with server/discover and falls back to initialize; the SSE transport is a
    // 2024-11-05 transport, so a server behind it is never modern and is not probed.
    versionNegotiation: negotiate ? { mode: 'auto', probe: { timeoutMs: timeout } } : { mode: 'legacy' },
    // The gateway drives input_required rounds itself only through its elicitation/sampling
    // handlers; a server that keeps asking is cut off rather than looping.
    inputRequired: { maxRounds: 10 },
  });
  opts.prepare?.(client);
  await client.connect(transport, { timeout, ...(negotiate && opts.prior ? { prior: opts.prior } : {}) });
  return client;
}

function connected(client: Client, transport: TransportKind, extra: Partial<ConnectedServer> = {}): ConnectedServer {
  const discover = client.getDiscoverResult();
  return {
    client,
    transport,
    era: client.getProtocolEra() === 'modern' ? 'modern' : 'legacy',
    verdict: client.getProtocolEra() === 'modern' && discover ? { kind: 'modern', discover } : { kind: 'legacy' },
    protocolVersion: client.getNegotiatedProtocolVersion(),
    stderrTail: () => '',
    close: () => client.close(),
    ...extra,
  };
}

async function connectStdio(
  name: string,
  config: Extract<McpServerConfig, { transport: 'stdio' }>,
  opts: ConnectOptions,
): Promise<ConnectedServer> {
  // As another Unix user (setpriv) when configured, in a neutral directory unless `cwd` says otherwise.
  const plan = config.user ? runAs(lookupUser(config.user), config.command, config.args, config.cwd) : undefined;
  const cwd = plan?.cwd ?? config.cwd;
  const transport = new StdioClientTransport({
    command: plan?.command ?? config.command,
    args: plan?.args ?? config.args,
    env: { ...childEnvironment(config.env), ...plan?.env },
    ...(cwd !== undefined ? { cwd } : {}),
    // Piped, not inherited: a chatty server must not write into the gateway's own logs.
    stderr: 'pipe',
  });
  readPlainResults(transport);
  const tail = new StderrTail();
  transport.stderr?.on('data', (chunk: Buffer | string) => tail.push(chunk));
  try {
    const client = await open(transport, opts, true);
    if (client instanceof GatewayClient && client.transport === transport) handPlainResults(transport, (m) => client.takeResult(m));
    const pid = transport.pid ?? undefined;
    return connected(client, 'stdio', { ...(pid !== undefined ? { pid } : {}), stderrTail: () => tail.text() });
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
    const client = await open(new SSEClientTransport(url, { requestInit }), opts, false);
    return connected(client, 'sse');
  };
  try {
    if (config.transport === 'sse') return await sse();
    try {
      const client = await open(new StreamableHTTPClientTransport(url, { requestInit }), opts, true);
      return connected(client, 'http');
    } catch (err) {
      if (!shouldFallBackToSse(err)) throw err;
      return await sse();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`MCP server "${name}" (${config.transport}: ${redactUrl(config.url)}) is unreachable: ${reason}`, { cause: err });
  }
}

/** Connects to one configured MCP server on the newest protocol revision both sides speak. */
export async function connectServer(name: string, config: McpServerConfig, opts: ConnectOptions = {}): Promise<ConnectedServer> {
  return config.transport === 'stdio' ? connectStdio(name, config, opts) : connectHttp(name, config, opts);
}

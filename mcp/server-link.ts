// One configured MCP server over time: connect, discover tools, refresh them on
// notifications/tools/list_changed, notice when the connection is lost, and reconnect with
// capped exponential backoff. The manager owns one link per server.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../src/config-schema.js';
import { connectServer, type ConnectedServer, type ConnectOptions, type TransportKind } from './connect.js';
import { listAllTools, mergeTools } from './list-tools.js';

export interface McpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LinkOptions {
  logger?: McpLogger;
  now: () => number;
  backoff: { initialMs: number; maxMs: number };
  /** Timeout of connect, tools/list and health pings. */
  requestTimeoutMs: number;
  connect?: (name: string, config: McpServerConfig, opts: ConnectOptions) => Promise<ConnectedServer>;
  /** Called whenever this server's tool list changes (including to empty when it goes down). */
  onToolsChanged: () => void;
}

export type LinkState = 'connecting' | 'connected' | 'failed';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ServerLink {
  state: LinkState = 'connecting';
  tools: readonly Tool[] = [];
  /** Tool names from the last successful listing; kept while down, to tell "unavailable" from "unknown". */
  knownToolNames: ReadonlySet<string> = new Set();
  transport: TransportKind;
  error: string | undefined;
  lastError: string | undefined;
  connectedAt: number | undefined;

  private conn: ConnectedServer | undefined;
  /** Bumped on every (re)connect and loss, so events from an old connection are ignored. */
  private generation = 0;
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private refreshing = false;
  private refreshAgain = false;
  private probing = false;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly opts: LinkOptions,
  ) {
    this.transport = config.transport;
  }

  /** The stdio child's pid while connected. */
  get pid(): number | undefined {
    return this.state === 'connected' ? this.conn?.pid : undefined;
  }

  /** The connected client, or undefined while the server is down. */
  get client(): Client | undefined {
    return this.state === 'connected' ? this.conn?.client : undefined;
  }

  /** One connection attempt; never throws. On failure the next attempt is scheduled. */
  async connect(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const gen = ++this.generation;
    this.state = 'connecting';
    let conn: ConnectedServer | undefined;
    try {
      const connect = this.opts.connect ?? connectServer;
      conn = await connect(this.name, this.config, { timeoutMs: this.opts.requestTimeoutMs });
      if (gen !== this.generation || this.stopped) return void (await conn.close().catch(() => undefined));
      this.conn = conn;
      this.transport = conn.transport;
      this.watch(conn, gen);
      const tools = await listAllTools(conn.client, this.opts.requestTimeoutMs);
      if (gen !== this.generation || this.stopped) return;
      this.attempts = 0;
      this.state = 'connected';
      this.error = undefined;
      this.connectedAt = this.opts.now();
      this.setTools(tools);
      this.opts.logger?.info({ server: this.name, transport: this.transport, tools: tools.length }, 'MCP server connected');
    } catch (err) {
      if (gen !== this.generation || this.stopped) return;
      this.generation++;
      this.conn = undefined;
      await conn?.close().catch(() => undefined);
      this.state = 'failed';
      this.error = this.lastError = message(err);
      this.setTools([]);
      this.opts.logger?.warn({ server: this.name, err: this.error }, 'MCP server connection failed');
      this.scheduleReconnect();
    }
  }

  private watch(conn: ConnectedServer, gen: number): void {
    conn.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refresh(gen));
    conn.client.onclose = () => {
      const stderr = conn.stderrTail();
      this.lost(gen, `connection closed${stderr ? `; stderr: ${stderr.slice(-500)}` : ''}`);
    };
    // HTTP transports report a dead server as errors, not a close: check with a ping.
    conn.client.onerror = (err) => {
      if (conn.transport !== 'stdio') this.suspect(err);
    };
  }

  /** Re-lists the tools after list_changed; overlapping notifications coalesce into one more run. */
  async refresh(gen = this.generation): Promise<void> {
    if (gen !== this.generation || this.stopped) return;
    if (this.refreshing) return void (this.refreshAgain = true);
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        const client = this.client;
        if (!client) return;
        try {
          const tools = await listAllTools(client, this.opts.requestTimeoutMs);
          if (gen !== this.generation) return;
          this.setTools(tools);
        } catch (err) {
          this.opts.logger?.warn({ server: this.name, err: message(err) }, 'MCP tools/list refresh failed');
          this.suspect(err);
          return;
        }
      } while (this.refreshAgain && gen === this.generation);
    } finally {
      this.refreshing = false;
    }
  }

  /** Something failed in a way that may mean the server is gone: ping it, and if that fails, reconnect. */
  suspect(cause: unknown): void {
    const client = this.client;
    if (!client || this.probing) return;
    const gen = this.generation;
    this.probing = true;
    client
      .ping({ timeout: Math.min(this.opts.requestTimeoutMs, 5_000) })
      .catch((err: unknown) => this.lost(gen, `${message(cause)} (ping: ${message(err)})`))
      .finally(() => (this.probing = false));
  }

  /** The connection is gone: drop the tools, close what is left, and reconnect after a backoff. */
  lost(gen: number, reason: string): void {
    if (gen !== this.generation || this.stopped) return;
    this.generation++;
    const conn = this.conn;
    this.conn = undefined;
    this.state = 'connecting';
    this.error = this.lastError = reason;
    this.setTools([]);
    this.opts.logger?.warn({ server: this.name, err: reason }, 'MCP server connection lost; reconnecting');
    void conn?.close().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const { initialMs, maxMs } = this.opts.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempts);
    this.attempts++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), delay);
    // Reconnect timers alone must not keep the process alive.
    this.timer.unref();
  }

  private setTools(next: readonly Tool[]): void {
    const merged = mergeTools(this.tools, next);
    if (merged === this.tools) return;
    this.tools = merged;
    if (merged.length > 0 || this.state === 'connected') this.knownToolNames = new Set(merged.map((t) => t.name));
    this.opts.onToolsChanged();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.timer);
    const conn = this.conn;
    this.conn = undefined;
    this.tools = [];
    await conn?.close().catch(() => undefined);
  }
}

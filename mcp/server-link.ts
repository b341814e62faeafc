// One configured MCP server over time: connect on the newest protocol revision it speaks, list what
// it offers (tools, prompts, resources, templates), follow its change notifications, notice when
// the connection is lost, and reconnect with capped exponential backoff. The manager owns one link
// per server. What it offers and how that is refreshed: link-offer.ts; its logger and which server
// logs reach it: link-logging.ts; the health check: health-check.ts; when and on which era it
// reconnects: reconnects.ts; the calls on it (in flight, maybe running on, queued): link-calls.ts.
import type { Client, LoggingLevel } from '@modelcontextprotocol/client';
import type { McpServerConfig } from '../src/config-schema.js';
import { outsideCalls } from './call-context.js';
import { connectServer, type ConnectedServer, type ConnectOptions, type ProtocolEra, type TransportKind } from './connect.js';
import { HealthCheck } from './health-check.js';
import { LinkCalls } from './link-calls.js';
import { type McpLogger, operatorLog } from './link-logging.js';
import { KINDS, listEverything, RefreshCoalescer, withListed } from './link-offer.js';
import { EMPTY_OFFER, listKind, type Offer, type OfferKind } from './listings.js';
import { ReconnectBackoff, RememberedEra } from './reconnects.js';
import { UpstreamSubscriptions } from './upstream-subscriptions.js';
import { registerChangeHandlers, registerRelayHandlers } from './upstream-handlers.js';
import { redactText, urlSecrets } from '../src/secrets/redact.js';

export interface LinkOptions {
  logger?: McpLogger;
  now: () => number;
  backoff: { initialMs: number; maxMs: number };
  /** Timeout of connect, lists and health checks. */
  requestTimeoutMs: number;
  connect?: (name: string, config: McpServerConfig, opts: ConnectOptions) => Promise<ConnectedServer>;
  /** Called whenever one kind of this server's offer changes (including to empty when it goes down). */
  onOfferChanged: (kind: OfferKind) => void;
  /** A subscribed resource of this server changed (its upstream URI). */
  onResourceUpdated?: (server: string, uri: string) => void;
}

export type LinkState = 'connecting' | 'connected' | 'failed';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ServerLink {
  state: LinkState = 'connecting';
  offer: Offer = EMPTY_OFFER;
  /** Tool names from the last successful listing; kept while down, to tell "unavailable" from "unknown". */
  knownToolNames: ReadonlySet<string> = new Set();
  transport: TransportKind;
  era: ProtocolEra | undefined;
  protocolVersion: string | undefined;
  error: string | undefined;
  lastError: string | undefined;
  connectedAt: number | undefined;
  /** The calls on this server: in flight, maybe still running there, waiting their turn. */
  readonly calls: LinkCalls;
  readonly subscriptions: UpstreamSubscriptions;

  private conn: ConnectedServer | undefined;
  /** Bumped on every (re)connect and loss, so events from an old connection are ignored. */
  private generation = 0;
  private readonly reconnects: ReconnectBackoff;
  private stopped = false;
  private readonly refreshes = new RefreshCoalescer();
  /** Whether the server is still there when something failed; told of every answer (health-check.ts). */
  readonly health: HealthCheck;
  private readonly knownEra: RememberedEra;
  /** This server's credentials (header and env values, the URL's userinfo and query), never shown. */
  private readonly secrets: readonly string[];

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly opts: LinkOptions,
  ) {
    this.transport = config.transport;
    this.reconnects = new ReconnectBackoff(opts.backoff, () => void this.connect());
    this.health = new HealthCheck(opts.requestTimeoutMs, config.callTimeoutMs);
    this.knownEra = new RememberedEra(opts.now);
    this.calls = new LinkCalls(name, config, () => this.transport);
    this.secrets = config.transport === 'stdio' ? Object.values(config.env) : [...Object.values(config.headers), ...urlSecrets(config.url)];
    this.subscriptions = new UpstreamSubscriptions({
      name,
      client: () => this.client,
      era: () => this.era,
      timeoutMs: opts.requestTimeoutMs,
      onDropped: (err) => this.suspect(err),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  /**
   * `text` (an error, a stderr tail) fit to show or store: URLs without userinfo or query, this
   * server's configured secrets replaced. Every error this link keeps or logs goes through it.
   */
  redact(text: string): string {
    return redactText(text, this.secrets);
  }

  get tools(): Offer['tools'] {
    return this.offer.tools;
  }

  /** The stdio child's pid while connected. */
  get pid(): number | undefined {
    return this.state === 'connected' ? this.conn?.pid : undefined;
  }

  /** The connected client, or undefined while the server is down. */
  get client(): Client | undefined {
    return this.state === 'connected' ? this.conn?.client : undefined;
  }

  /**
   * One connection attempt; never throws. On failure the next attempt is scheduled. Runs outside
   * any tool call: the connection's streams outlive whichever call noticed the server was gone.
   */
  connect(): Promise<void> {
    return outsideCalls(() => this.attempt());
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.reconnects.cancel();
    const gen = ++this.generation;
    this.state = 'connecting';
    let conn: ConnectedServer | undefined;
    try {
      const connect = this.opts.connect ?? connectServer;
      const remembered = this.knownEra.take();
      const fresh = remembered?.prior;
      conn = await connect(this.name, this.config, {
        timeoutMs: this.opts.requestTimeoutMs,
        prepare: (client) => this.prepare(client, gen),
        ...(fresh ? { prior: fresh } : {}),
      });
      if (gen !== this.generation || this.stopped) return void (await conn.close().catch(() => undefined));
      this.conn = conn;
      this.transport = conn.transport;
      this.era = conn.era;
      this.protocolVersion = conn.protocolVersion;
      this.knownEra.keep(conn.verdict, remembered);
      this.watch(conn, gen);
      const listed = await listEverything(conn.client, this.opts.requestTimeoutMs, (kind, err) => {
        this.opts.logger?.warn({ server: this.name, kind, err: message(err) }, 'MCP list failed');
      });
      if (gen !== this.generation || this.stopped) return;
      this.reconnects.succeeded();
      this.state = 'connected';
      this.error = undefined;
      this.connectedAt = this.opts.now();
      for (const kind of KINDS) this.setOffer(kind, listed[kind]);
      await this.afterConnect(conn);
      this.opts.logger?.info(
        { server: this.name, transport: this.transport, protocol: this.protocolVersion, tools: listed.tools.length },
        'MCP server connected',
      );
    } catch (err) {
      if (gen !== this.generation || this.stopped) return;
      this.generation++;
      this.conn = undefined;
      await conn?.close().catch(() => undefined);
      this.state = 'failed';
      this.error = this.lastError = this.redact(message(err));
      for (const kind of KINDS) this.setOffer(kind, []);
      this.opts.logger?.warn({ server: this.name, err: this.error }, 'MCP server connection failed');
      this.reconnects.schedule();
    }
  }

  private prepare(client: Client, gen: number): void {
    registerRelayHandlers(
      client,
      this.calls,
      operatorLog(this.opts.logger, (text) => this.redact(text)),
    );
    registerChangeHandlers(client, {
      listChanged: (kinds) => {
        for (const kind of kinds) void this.refresh(kind, gen);
      },
      resourceUpdated: (uri) => {
        if (gen === this.generation) this.opts.onResourceUpdated?.(this.name, uri);
      },
    });
  }

  private async afterConnect(conn: ConnectedServer): Promise<void> {
    const caps = conn.client.getServerCapabilities() ?? {};
    // A 2025 server sends log messages at the level its client set; the gateway asks for all of
    // them and filters per caller (2026-07-28 servers are asked per request instead).
    if (conn.era === 'legacy' && caps.logging) {
      await conn.client.setLoggingLevel('debug' satisfies LoggingLevel, { timeout: this.opts.requestTimeoutMs }).catch((err: unknown) => {
        this.opts.logger?.warn({ server: this.name, err: this.redact(message(err)) }, 'MCP logging/setLevel failed');
      });
    }
    await this.subscriptions.restore();
  }

  private watch(conn: ConnectedServer, gen: number): void {
    conn.client.onclose = () => {
      const stderr = conn.stderrTail();
      this.lost(gen, `connection closed${stderr ? `; stderr: ${stderr.slice(-500)}` : ''}`);
    };
    // HTTP transports report a dead server as errors, not a close: check it.
    conn.client.onerror = (err) => {
      if (conn.transport !== 'stdio') this.suspect(err);
    };
  }

  /** Re-lists one kind after list_changed; overlapping notifications coalesce into one more run. */
  async refresh(kind: OfferKind, gen = this.generation): Promise<void> {
    if (gen !== this.generation || this.stopped) return;
    await this.refreshes.run(
      kind,
      async () => {
        const client = this.client;
        if (!client) return false;
        try {
          const listed = await listKind(client, kind, this.opts.requestTimeoutMs);
          if (gen !== this.generation) return false;
          this.setOffer(kind, listed);
          return true;
        } catch (err) {
          this.opts.logger?.warn({ server: this.name, kind, err: this.redact(message(err)) }, 'MCP list refresh failed');
          this.refreshes.failed(kind, err);
          this.suspect(err);
          return false;
        }
      },
      () => gen === this.generation,
    );
  }

  /** Something failed in a way that may mean the server is gone: check it, and if that fails, reconnect. */
  suspect(cause: unknown): void {
    const client = this.client;
    if (!client) return;
    const gen = this.generation;
    this.health.run(
      client,
      this.era,
      () => this.calls.busy(),
      () => {
        if (this.era === 'modern') this.subscriptions.ensureListening();
        for (const kind of this.refreshes.takeTimedOut()) void this.refresh(kind, gen);
      },
      (err) => this.lost(gen, `${message(cause)} (health check: ${message(err)})`),
    );
  }

  /** The connection is gone: drop the offer, close what is left, and reconnect after a backoff. */
  lost(gen: number, reason: string): void {
    if (gen !== this.generation || this.stopped) return;
    this.generation++;
    const conn = this.conn;
    this.conn = undefined;
    this.state = 'connecting';
    this.error = this.lastError = reason = this.redact(reason);
    for (const kind of KINDS) this.setOffer(kind, []);
    this.subscriptions.disconnected();
    this.calls.gone();
    this.opts.logger?.warn({ server: this.name, err: reason }, 'MCP server connection lost; reconnecting');
    void conn?.close().catch(() => undefined);
    this.reconnects.schedule();
  }

  private setOffer(kind: OfferKind, next: Offer[OfferKind]): void {
    const offer = withListed(this.offer, kind, next);
    if (offer === this.offer) return;
    this.offer = offer;
    if (kind === 'tools' && (offer.tools.length > 0 || this.state === 'connected')) {
      this.knownToolNames = new Set(this.offer.tools.map((t) => t.name));
    }
    this.opts.onOfferChanged(kind);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.reconnects.cancel();
    const conn = this.conn;
    this.conn = undefined;
    this.offer = EMPTY_OFFER;
    this.subscriptions.disconnected();
    this.calls.gone();
    await conn?.close().catch(() => undefined);
  }
}

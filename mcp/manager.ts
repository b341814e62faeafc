// The gateway's view of all configured MCP servers: connects them, keeps one immutable tool
// snapshot (rebuilt only when a server's tools change), and runs tool calls with argument
// validation, timeouts, cancellation and the relaying of what servers ask meanwhile. callTool never
// throws: every failure is an outcome the tool loop can hand back to the model and record. Prompts,
// resources and templates are `offers` (offers.ts).
import type { McpServerConfig } from '../src/config-schema.js';
import type { CallInteractions } from './call-context.js';
import { failure, type ToolCallOutcome } from './call-outcome.js';
import type { TransportKind } from './connect.js';
import type { OfferKind } from './listings.js';
import { McpOffers, sameMap } from './offers.js';
import type { McpLogger } from './link-logging.js';
import { ServerLink, type LinkOptions, type LinkState } from './server-link.js';
import { buildCatalog, type CatalogEntry, type McpToolEntry } from './tool-catalog.js';
import { toolName } from './tool-names.js';
import { ToolSetChanges } from './tool-set-changes.js';
import { runToolCall } from './upstream-call.js';

export type { McpToolEntry } from './tool-catalog.js';
export type { McpPromptEntry, McpResourceEntry, McpTemplateEntry } from './offer-catalog.js';
export type { ToolCallOutcome, ToolCallStatus } from './call-outcome.js';
export type { McpLogger } from './link-logging.js';
export type { UpstreamOutcome } from './upstream-call.js';
export type { OfferChange } from './offers.js';

export interface McpManagerOptions {
  servers: Record<string, McpServerConfig>;
  logger?: McpLogger;
  now?: () => number;
  /** Reconnect backoff: initialMs doubling up to maxMs (default 500 ms → 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Timeout of connect, lists and health checks (default 15 s). */
  requestTimeoutMs?: number;
  /** Replaces connectServer (tests). */
  connect?: LinkOptions['connect'];
}

export interface CallToolOptions {
  signal?: AbortSignal | undefined;
  /**
   * The caller's own bound (e.g. what is left of a chat loop's timeoutMs): it can shorten the
   * server's callTimeoutMs, never lengthen it — that is the operator's limit on one call.
   */
  timeoutMs?: number | undefined;
  /** What the caller can do while the call runs (elicitation, sampling, logs, progress); none: refused. */
  interactions?: CallInteractions | undefined;
  /** The calling key's id: whose turn the call takes at a server with maxCallsInFlight (null: no key). */
  caller?: string | null | undefined;
  /** The calling key's team (null: none): turns go fairly across teams first, then across its keys. */
  team?: string | null | undefined;
}

export interface McpServerStatus {
  name: string;
  transport: TransportKind;
  state: LinkState;
  /** The protocol revision in use while connected (e.g. 2026-07-28 or 2025-11-25). */
  protocolVersion?: string;
  error?: string;
  tools: number;
  prompts: number;
  resources: number;
  /** Requests sent to the server and not yet answered (tool calls, prompt gets, resource reads). */
  inflight: number;
  /** With maxCallsInFlight: calls waiting for their turn to be sent. */
  queued?: number;
  /** Epoch ms of the current connection. */
  connectedAt?: number;
  lastError?: string;
  /** The stdio child's process id while connected. */
  pid?: number;
}

export class McpManager {
  private readonly links: ServerLink[];
  private readonly byName = new Map<string, ServerLink>();
  private readonly now: () => number;
  private catalog = new Map<string, CatalogEntry>();
  private snapshot: readonly McpToolEntry[] = Object.freeze([]);
  private readonly changes: ToolSetChanges;
  /** Prompts, resources and templates (served at /mcp). */
  readonly offers: McpOffers;

  constructor(opts: McpManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.changes = new ToolSetChanges(opts.logger);
    const linkOptions: LinkOptions = {
      now: this.now,
      backoff: opts.backoff ?? { initialMs: 500, maxMs: 30_000 },
      requestTimeoutMs: opts.requestTimeoutMs ?? 15_000,
      onOfferChanged: (kind) => this.rebuild(kind),
      onResourceUpdated: (server, uri) => this.offers.resourceUpdated(server, uri),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.connect ? { connect: opts.connect } : {}),
    };
    this.links = Object.entries(opts.servers).map(([name, config]) => new ServerLink(name, config, linkOptions));
    for (const link of this.links) this.byName.set(link.name, link);
    this.offers = new McpOffers(this.byName);
  }

  /** Connects every server in parallel; resolves once each has connected or failed its first try. */
  async start(): Promise<void> {
    await Promise.all(this.links.map((link) => link.connect()));
  }

  /** Closes every connection (ending stdio children) and cancels pending reconnects. */
  async stop(): Promise<void> {
    await Promise.all(this.links.map((link) => link.stop()));
    for (const kind of ['tools', 'prompts', 'resources'] as const) this.rebuild(kind);
  }

  /** The current tool snapshot; the same array until the tool set changes. */
  tools(): readonly McpToolEntry[] {
    return this.snapshot;
  }

  getTool(name: string): McpToolEntry | undefined {
    return this.catalog.get(name);
  }

  /** Increments whenever the tool set changes. */
  get version(): number {
    return this.changes.version;
  }

  /** Calls `listener(version)` after every change of the tool set; returns an unsubscribe function. */
  onToolsChanged(listener: (version: number) => void): () => void {
    return this.changes.subscribe(listener);
  }

  status(): McpServerStatus[] {
    return this.links.map((link) => ({
      name: link.name,
      transport: link.transport,
      state: link.state,
      ...(link.state === 'connected' && link.protocolVersion ? { protocolVersion: link.protocolVersion } : {}),
      tools: link.offer.tools.length,
      prompts: link.offer.prompts.length,
      resources: link.offer.resources.length,
      inflight: link.calls.inflight.size,
      ...(link.calls.queue ? { queued: link.calls.queue.waiting } : {}),
      ...(link.error !== undefined ? { error: link.error } : {}),
      ...(link.connectedAt !== undefined && link.state === 'connected' ? { connectedAt: link.connectedAt } : {}),
      ...(link.lastError !== undefined ? { lastError: link.lastError } : {}),
      ...(link.pid !== undefined ? { pid: link.pid } : {}),
    }));
  }

  /** Runs one tool call by gateway name. Never throws. */
  async callTool(name: string, args: unknown, options: CallToolOptions = {}): Promise<ToolCallOutcome> {
    const started = this.now();
    const elapsed = () => Math.max(0, this.now() - started);
    const entry = this.catalog.get(name);
    if (!entry) {
      const down = this.links.find((l) => l.state !== 'connected' && [...l.knownToolNames].some((t) => toolName(l.name, t) === name));
      return down
        ? failure('server_unavailable', `MCP server "${down.name}" is unavailable: ${down.error ?? 'not connected'}`, elapsed())
        : failure('unknown_tool', `no MCP tool named "${name}"`, elapsed());
    }
    const parsed = entry.validator.validate(args);
    if (!parsed.ok) return failure('invalid_arguments', parsed.message, elapsed());
    const link = this.byName.get(entry.server);
    if (!link?.client) return failure('server_unavailable', `MCP server "${entry.server}" is not connected`, elapsed());
    if (options.signal?.aborted) return failure('cancelled', 'the call was cancelled before it started', elapsed());
    // The caller's bound (e.g. what is left of a chat loop's deadline) can only shorten the server's own timeout.
    const timeoutMs = Math.min(options.timeoutMs ?? Infinity, link.config.callTimeoutMs);
    return runToolCall(link, entry, parsed.value, {
      signal: options.signal,
      timeoutMs,
      elapsed,
      interactions: options.interactions,
      caller: options.caller,
      team: options.team,
    });
  }

  private rebuild(kind: OfferKind): void {
    if (kind === 'tools') this.rebuildTools();
    else this.offers.rebuild(kind);
  }

  private rebuildTools(): void {
    const next = buildCatalog(this.links, this.catalog);
    if (sameMap(this.catalog, next)) return;
    this.catalog = next;
    this.snapshot = Object.freeze([...next.values()].map(publicEntry));
    this.changes.bump();
  }
}

const publicEntries = new WeakMap<CatalogEntry, McpToolEntry>();

/** The snapshot exposes entries without the internal validator; unchanged entries keep their object. */
function publicEntry(entry: CatalogEntry): McpToolEntry {
  let pub = publicEntries.get(entry);
  if (!pub) {
    pub = Object.freeze({ name: entry.name, server: entry.server, tool: entry.tool, definition: entry.definition, openai: entry.openai });
    publicEntries.set(entry, pub);
  }
  return pub;
}

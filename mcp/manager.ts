// The gateway's view of all configured MCP servers: connects them, keeps immutable snapshots of
// what they offer (tools; prompts, resources and templates), rebuilt only when a server's offer
// changes, and runs tool calls, prompt gets, resource reads and completions against them. Tool
// calls never throw: every failure is an outcome the tool loop can hand back to the model and
// record.
import type { CompleteRequest, CompleteResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/client';
import type { McpServerConfig } from '../src/config-schema.js';
import { failure, type ToolCallOutcome } from './call-outcome.js';
import type { TransportKind } from './connect.js';
import type { OfferKind } from './listings.js';
import {
  buildPromptCatalog,
  buildResourceList,
  buildTemplateList,
  type McpPromptEntry,
  type McpResourceEntry,
  type McpTemplateEntry,
} from './offer-catalog.js';
import { fromGatewayUri, toGatewayUri } from './resource-uris.js';
import { ServerLink, type LinkOptions, type LinkState, type McpLogger } from './server-link.js';
import { buildCatalog, type CatalogEntry, type McpToolEntry } from './tool-catalog.js';
import { toolName } from './tool-names.js';
import { ToolSetChanges } from './tool-set-changes.js';
import { runToolCall, runUpstream, type UpstreamOutcome } from './upstream-call.js';

export type { McpToolEntry } from './tool-catalog.js';
export type { McpPromptEntry, McpResourceEntry, McpTemplateEntry } from './offer-catalog.js';
export type { ToolCallOutcome, ToolCallStatus } from './call-outcome.js';
export type { McpLogger } from './server-link.js';
export type { UpstreamOutcome } from './upstream-call.js';

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
  /** Overrides the server's callTimeoutMs. */
  timeoutMs?: number | undefined;
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
  /** Epoch ms of the current connection. */
  connectedAt?: number;
  lastError?: string;
  /** The stdio child's process id while connected. */
  pid?: number;
}

/** What changed in the prompt/resource snapshot: prompts, or resources and templates. */
export type OfferChange = 'prompts' | 'resources';

export class McpManager {
  private readonly links: ServerLink[];
  private readonly byName = new Map<string, ServerLink>();
  private readonly now: () => number;
  private catalog = new Map<string, CatalogEntry>();
  private snapshot: readonly McpToolEntry[] = Object.freeze([]);
  private readonly changes: ToolSetChanges;
  private promptCatalog = new Map<string, McpPromptEntry>();
  private promptList: readonly McpPromptEntry[] = Object.freeze([]);
  private resourceList: readonly McpResourceEntry[] = Object.freeze([]);
  private templateList: readonly McpTemplateEntry[] = Object.freeze([]);
  private readonly offerListeners = new Set<(change: OfferChange) => void>();
  private readonly updateListeners = new Set<(gatewayUri: string) => void>();
  /** Moves whenever prompts, resources or templates change (cache key for per-key lists). */
  offerVersion = 0;

  constructor(opts: McpManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.changes = new ToolSetChanges(opts.logger);
    const linkOptions: LinkOptions = {
      now: this.now,
      backoff: opts.backoff ?? { initialMs: 500, maxMs: 30_000 },
      requestTimeoutMs: opts.requestTimeoutMs ?? 15_000,
      onOfferChanged: (kind) => this.rebuild(kind),
      onResourceUpdated: (server, uri) => this.resourceUpdated(server, uri),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.connect ? { connect: opts.connect } : {}),
    };
    this.links = Object.entries(opts.servers).map(([name, config]) => new ServerLink(name, config, linkOptions));
    for (const link of this.links) this.byName.set(link.name, link);
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

  prompts(): readonly McpPromptEntry[] {
    return this.promptList;
  }

  getPrompt(name: string): McpPromptEntry | undefined {
    return this.promptCatalog.get(name);
  }

  resources(): readonly McpResourceEntry[] {
    return this.resourceList;
  }

  resourceTemplates(): readonly McpTemplateEntry[] {
    return this.templateList;
  }

  /** The configured server a gateway URI belongs to, and its own URI there. */
  resolveUri(gatewayUri: string): { server: string; uri: string } | undefined {
    return fromGatewayUri(gatewayUri, (name) => this.byName.has(name));
  }

  onOfferChanged(listener: (change: OfferChange) => void): () => void {
    this.offerListeners.add(listener);
    return () => void this.offerListeners.delete(listener);
  }

  /** A subscribed resource changed upstream (its gateway URI). */
  onResourceUpdated(listener: (gatewayUri: string) => void): () => void {
    this.updateListeners.add(listener);
    return () => void this.updateListeners.delete(listener);
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
    return runToolCall(link, entry, parsed.value, { signal: options.signal, timeoutMs, elapsed });
  }

  /** prompts/get on the prompt's server, under its own name; resource URIs in the messages become gateway URIs. */
  async getPromptResult(
    name: string,
    args: Record<string, string> | undefined,
    signal?: AbortSignal,
  ): Promise<UpstreamOutcome<GetPromptResult>> {
    const entry = this.promptCatalog.get(name);
    const link = entry && this.byName.get(entry.server);
    if (!entry || !link) return { status: 'unknown_tool', errorMessage: `no prompt named "${name}"`, latencyMs: 0 };
    return runUpstream(link, signal, (client, options) =>
      client.getPrompt({ name: entry.prompt, ...(args ? { arguments: args } : {}) }, options),
    );
  }

  /** resources/read of a gateway URI on its server; the contents carry gateway URIs. */
  async readResource(gatewayUri: string, signal?: AbortSignal): Promise<UpstreamOutcome<ReadResourceResult>> {
    const target = this.resolveUri(gatewayUri);
    const link = target && this.byName.get(target.server);
    if (!target || !link) return { status: 'unknown_tool', errorMessage: `no resource "${gatewayUri}"`, latencyMs: 0 };
    return runUpstream(link, signal, (client, options) => client.readResource({ uri: target.uri }, { ...options, cacheMode: 'bypass' }));
  }

  /** completion/complete for a gateway prompt or resource template; undefined when the reference names neither. */
  async complete(params: CompleteRequest['params'], signal?: AbortSignal): Promise<UpstreamOutcome<CompleteResult> | undefined> {
    const ref = params.ref;
    let server: string;
    let upstreamRef: CompleteRequest['params']['ref'];
    if (ref.type === 'ref/prompt') {
      const entry = this.promptCatalog.get(ref.name);
      if (!entry) return undefined;
      server = entry.server;
      upstreamRef = { ...ref, name: entry.prompt };
    } else {
      const template = this.templateList.find((t) => t.uriTemplate === ref.uri);
      const target = template ? { server: template.server, uri: template.upstreamTemplate } : this.resolveUri(ref.uri);
      if (!target) return undefined;
      server = target.server;
      upstreamRef = { ...ref, uri: target.uri };
    }
    const link = this.byName.get(server);
    if (!link?.client?.getServerCapabilities()?.completions) return undefined;
    return runUpstream(link, signal, (client, options) => client.complete({ ...params, ref: upstreamRef }, options));
  }

  /** Counts one more subscriber of a gateway URI; the server is asked once per URI. */
  async subscribe(gatewayUri: string): Promise<boolean> {
    const target = this.resolveUri(gatewayUri);
    const link = target && this.byName.get(target.server);
    if (!target || !link) return false;
    await link.subscriptions.add(target.uri);
    return true;
  }

  async unsubscribe(gatewayUri: string): Promise<void> {
    const target = this.resolveUri(gatewayUri);
    if (target) await this.byName.get(target.server)?.subscriptions.remove(target.uri);
  }

  private resourceUpdated(server: string, uri: string): void {
    const gatewayUri = toGatewayUri(server, uri);
    for (const listener of this.updateListeners) listener(gatewayUri);
  }

  private rebuild(kind: OfferKind): void {
    if (kind === 'tools') {
      this.rebuildTools();
      return;
    }
    const servers = this.links.map((l) => ({ name: l.name, offer: l.offer }));
    let change: OfferChange;
    if (kind === 'prompts') {
      const next = buildPromptCatalog(servers);
      if (sameMap(this.promptCatalog, next)) return;
      this.promptCatalog = next;
      this.promptList = Object.freeze([...next.values()]);
      change = 'prompts';
    } else {
      const resources = buildResourceList(servers);
      const templates = buildTemplateList(servers);
      if (sameList(this.resourceList, resources) && sameList(this.templateList, templates)) return;
      this.resourceList = Object.freeze(resources);
      this.templateList = Object.freeze(templates);
      change = 'resources';
    }
    this.offerVersion++;
    for (const listener of this.offerListeners) listener(change);
  }

  private rebuildTools(): void {
    const next = buildCatalog(this.links, this.catalog);
    if (sameMap(this.catalog, next)) return;
    this.catalog = next;
    this.snapshot = Object.freeze([...next.values()].map(publicEntry));
    this.changes.bump();
  }
}

function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, entry] of b) if (a.get(name) !== entry) return false;
  return true;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
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

// The MCP tools as the rest of the gateway sees them once pinning applies: a ToolRuntime whose
// tools() leaves out quarantined tools (so governance's cached per-key lists and /mcp tools/list
// never show them), whose quarantineReason() answers the governed tool call in O(1), and whose
// `version` moves only when the visible set does. Every discovery (the manager's onToolsChanged:
// startup, reconnect, list_changed) is compared with the pins here; pins live in memory and are
// written through to the PinStore.
import type { ToolOutcome, ToolRuntime } from '../../src/chat/ports.js';
import { toolErrorResult } from '../mapping.js';
import type { McpLogger } from '../link-logging.js';
import type { McpToolEntry } from '../tool-catalog.js';
import { ToolSetChanges } from '../tool-set-changes.js';
import { canonicalDefinition } from './canonical.js';
import { approve, block, observe, verdictFor, type ReviewError } from './evaluate.js';
import { scanTool } from './injection-scan.js';
import { pinKey, type PinMode, type PinRecord, type PinStore, type QuarantineReason } from './types.js';
import { toPinView, type PinView } from './pin-view.js';

/** What pinning needs of the MCP manager. */
export interface PinSource extends ToolRuntime {
  tools(): readonly McpToolEntry[];
  getTool(name: string): McpToolEntry | undefined;
  onToolsChanged(listener: (version: number) => void): () => void;
}

export interface PinnedToolsOptions {
  source: PinSource;
  store: PinStore;
  modeOf(server: string): PinMode;
  now?: () => number;
  logger?: McpLogger;
}

export interface PinCounts {
  /** Listed tools withheld from models and calls. */
  quarantined: number;
  /** Listed tools offered despite an unapproved definition (warn mode). */
  flagged: number;
  byServer: { server: string; quarantined: number; flagged: number }[];
}

export type ReviewResult = PinView | ReviewError | 'not_found';

export class PinnedTools implements ToolRuntime {
  private readonly pins = new Map<string, PinRecord>();
  private readonly knownServers = new Set<string>();
  private visible: readonly McpToolEntry[] = Object.freeze([]);
  private quarantine = new Map<string, QuarantineReason>();
  private flagged = new Set<string>();
  /** Gateway name of each listed tool, by pin key. */
  private listed = new Map<string, McpToolEntry>();
  private readonly changes: ToolSetChanges;
  private writes: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: PinnedToolsOptions) {
    this.now = opts.now ?? Date.now;
    this.changes = new ToolSetChanges(opts.logger);
  }

  /** Moves only when the visible tool set does. */
  get version(): number {
    return this.changes.version;
  }

  /** Loads the pins and starts following the manager; call before the manager connects. */
  async load(): Promise<void> {
    for (const pin of await this.opts.store.load()) {
      this.pins.set(pinKey(pin.server, pin.tool), pin);
      this.knownServers.add(pin.server);
    }
    this.unsubscribe ??= this.opts.source.onToolsChanged(() => this.refresh());
    this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  tools(): readonly McpToolEntry[] {
    return this.visible;
  }

  /** Every listed tool, quarantined ones too: the chat loop must still know a call to one is an MCP call. */
  getTool(name: string): McpToolEntry | undefined {
    return this.opts.source.getTool(name);
  }

  quarantineReason(name: string): QuarantineReason | undefined {
    return this.quarantine.get(name);
  }

  async callTool(name: string, args: string, opts: Parameters<ToolRuntime['callTool']>[2]): Promise<ToolOutcome> {
    // executeToolCall refuses first; this is the backstop for any other caller.
    const reason = this.quarantine.get(name);
    if (reason)
      return {
        status: 'error',
        sent: false,
        content: toolErrorResult(reason, `tool "${name}" is quarantined until an admin reviews its definition`),
        isError: true,
        latencyMs: 0,
      };
    return this.opts.source.callTool(name, args, opts);
  }

  onToolsChanged(listener: (version: number) => void): () => void {
    return this.changes.subscribe(listener);
  }

  /** Resolves once every pin change so far is in the store. */
  flush(): Promise<void> {
    return this.writes;
  }

  list(): PinView[] {
    return [...this.pins.values()]
      .map((p) => this.view(p))
      .sort((a, b) => a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool));
  }

  get(server: string, tool: string): PinView | undefined {
    const pin = this.pins.get(pinKey(server, tool));
    return pin && this.view(pin);
  }

  approve(server: string, tool: string, by: string, expectedHash?: string): Promise<ReviewResult> {
    return this.review(server, tool, (pin) => approve(pin, by, this.now(), expectedHash), 'approved');
  }

  block(server: string, tool: string, by: string, expectedHash?: string): Promise<ReviewResult> {
    return this.review(server, tool, (pin) => block(pin, by, this.now(), expectedHash), 'blocked');
  }

  counts(): PinCounts {
    const byServer = new Map<string, { server: string; quarantined: number; flagged: number }>();
    const bump = (name: string, field: 'quarantined' | 'flagged') => {
      const server = this.opts.source.getTool(name)?.server;
      if (server === undefined) return;
      const row = byServer.get(server) ?? { server, quarantined: 0, flagged: 0 };
      row[field]++;
      byServer.set(server, row);
    };
    for (const name of this.quarantine.keys()) bump(name, 'quarantined');
    for (const name of this.flagged) bump(name, 'flagged');
    return { quarantined: this.quarantine.size, flagged: this.flagged.size, byServer: [...byServer.values()] };
  }

  private async review(
    server: string,
    tool: string,
    apply: (pin: PinRecord) => PinRecord | ReviewError,
    what: string,
  ): Promise<ReviewResult> {
    const pin = this.pins.get(pinKey(server, tool));
    if (!pin) return 'not_found';
    const next = apply(pin);
    if (typeof next === 'string') return next;
    this.pins.set(pinKey(server, tool), next);
    this.opts.logger?.info({ server, tool, hash: next.hash, by: next.approvedBy ?? next.blockedBy }, `MCP tool definition ${what}`);
    this.persist(next);
    this.refresh();
    await this.flush();
    return this.view(next);
  }

  private view(pin: PinRecord): PinView {
    const key = pinKey(pin.server, pin.tool);
    const entry = this.listed.get(key);
    return toPinView(pin, {
      mode: this.opts.modeOf(pin.server),
      name: entry?.name ?? null,
      quarantined: entry ? (this.quarantine.get(entry.name) ?? null) : null,
      flagged: entry ? this.flagged.has(entry.name) : false,
    });
  }

  private persist(pin: PinRecord): void {
    this.writes = this.writes
      .then(() => this.opts.store.save(pin))
      .catch((err: unknown) =>
        this.opts.logger?.error(
          { server: pin.server, tool: pin.tool, err: err instanceof Error ? err.message : String(err) },
          'saving a tool pin failed',
        ),
      );
  }

  /** Compares every listed tool with its pin and rebuilds the visible set. */
  private refresh(): void {
    const entries = this.opts.source.tools();
    // A server's first listing is trusted; anything it adds later is not. Judge by the state before this discovery.
    const known = new Set(this.knownServers);
    const visible: McpToolEntry[] = [];
    const quarantine = new Map<string, QuarantineReason>();
    const flagged = new Set<string>();
    const listed = new Map<string, McpToolEntry>();
    for (const entry of entries) {
      const mode = this.opts.modeOf(entry.server);
      const key = pinKey(entry.server, entry.tool);
      listed.set(key, entry);
      if (mode === 'off') {
        visible.push(entry);
        continue;
      }
      const prev = this.pins.get(key);
      const next = observe(prev, canonicalDefinition(entry.definition), {
        server: entry.server,
        tool: entry.tool,
        serverKnown: known.has(entry.server),
        now: this.now(),
        scan: () => scanTool(entry.definition),
      });
      if (next) {
        this.pins.set(key, next);
        this.knownServers.add(entry.server);
        this.persist(next);
        this.logChange(next, mode);
      }
      const verdict = verdictFor(next ?? prev, mode);
      if (verdict.kind === 'quarantine') quarantine.set(entry.name, verdict.reason);
      else visible.push(entry);
      if (verdict.kind === 'flag') flagged.add(entry.name);
    }
    this.quarantine = quarantine;
    this.flagged = flagged;
    this.listed = listed;
    if (sameList(this.visible, visible)) return;
    this.visible = Object.freeze(visible);
    this.changes.bump();
  }

  private logChange(pin: PinRecord, mode: PinMode): void {
    const flags = pin.flags.map((f) => f.code);
    const fields = { server: pin.server, tool: pin.tool, status: pin.status, mode, ...(flags.length ? { flags } : {}) };
    if (pin.status === 'approved') {
      const msg = pin.approvedBy === 'first-sight' ? 'MCP tool pinned at first sight' : 'MCP tool back to its approved definition';
      this.opts.logger?.info(fields, msg);
      return;
    }
    const action = verdictFor(pin, mode).kind === 'quarantine' ? 'withheld until an admin approves it' : 'offered (pin: warn) but flagged';
    const what =
      pin.status === 'pending_changed'
        ? 'definition changed since it was approved'
        : flags.length
          ? 'definition has injection markers'
          : 'new tool on a known server';
    this.opts.logger?.warn(fields, `MCP tool ${pin.server}/${pin.tool}: ${what}; ${action}`);
  }
}

function sameList(a: readonly McpToolEntry[], b: readonly McpToolEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e === b[i]);
}

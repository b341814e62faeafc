// The prompts, resources and resource templates of every configured server, as /mcp serves them:
// one immutable snapshot per kind under gateway names (offer-catalog.ts), rebuilt only when a
// server's listing changes, and the upstream requests that use them (prompt gets, resource reads,
// completions, resource subscriptions). Owned by the manager, which tells it of listing changes.
import type { CompleteRequest, CompleteResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/client';
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
import type { Caller } from './call-context.js';
import type { ServerLink } from './server-link.js';
import { runUpstream, type UpstreamOutcome } from './upstream-call.js';

/** What changed in the snapshot: prompts, or resources and templates. */
export type OfferChange = 'prompts' | 'resources';

export class McpOffers {
  private promptCatalog = new Map<string, McpPromptEntry>();
  private promptList: readonly McpPromptEntry[] = Object.freeze([]);
  private resourceList: readonly McpResourceEntry[] = Object.freeze([]);
  private templateList: readonly McpTemplateEntry[] = Object.freeze([]);
  private readonly offerListeners = new Set<(change: OfferChange) => void>();
  private readonly updateListeners = new Set<(gatewayUri: string) => void>();

  constructor(private readonly links: ReadonlyMap<string, ServerLink>) {}

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
    return fromGatewayUri(gatewayUri, (name) => this.links.has(name));
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

  /** prompts/get on the prompt's server, under its own name; resource URIs in the messages become gateway URIs. */
  async getPromptResult(
    name: string,
    args: Record<string, string> | undefined,
    signal?: AbortSignal,
    caller?: Caller,
  ): Promise<UpstreamOutcome<GetPromptResult>> {
    const entry = this.promptCatalog.get(name);
    const link = entry && this.links.get(entry.server);
    if (!entry || !link) return { status: 'unknown_tool', errorMessage: `no prompt named "${name}"`, latencyMs: 0 };
    return runUpstream(link, signal, caller, (client, options) =>
      client.getPrompt({ name: entry.prompt, ...(args ? { arguments: args } : {}) }, options),
    );
  }

  /** resources/read of a gateway URI on its server; the contents carry gateway URIs. */
  async readResource(gatewayUri: string, signal?: AbortSignal, caller?: Caller): Promise<UpstreamOutcome<ReadResourceResult>> {
    const target = this.resolveUri(gatewayUri);
    const link = target && this.links.get(target.server);
    if (!target || !link) return { status: 'unknown_tool', errorMessage: `no resource "${gatewayUri}"`, latencyMs: 0 };
    return runUpstream(link, signal, caller, (client, options) =>
      client.readResource({ uri: target.uri }, { ...options, cacheMode: 'bypass' }),
    );
  }

  /** completion/complete for a gateway prompt or resource template; undefined when the reference names neither. */
  async complete(
    params: CompleteRequest['params'],
    signal?: AbortSignal,
    caller?: Caller,
  ): Promise<UpstreamOutcome<CompleteResult> | undefined> {
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
    const link = this.links.get(server);
    if (!link?.client?.getServerCapabilities()?.completions) return undefined;
    return runUpstream(link, signal, caller, (client, options) => client.complete({ ...params, ref: upstreamRef }, options));
  }

  /** Counts one more subscriber of a gateway URI; the server is asked once per URI. */
  async subscribe(gatewayUri: string): Promise<boolean> {
    const target = this.resolveUri(gatewayUri);
    const link = target && this.links.get(target.server);
    if (!target || !link) return false;
    await link.subscriptions.add(target.uri);
    return true;
  }

  async unsubscribe(gatewayUri: string): Promise<void> {
    const target = this.resolveUri(gatewayUri);
    if (target) await this.links.get(target.server)?.subscriptions.remove(target.uri);
  }

  /** A server said one of its subscribed resources changed. */
  resourceUpdated(server: string, uri: string): void {
    const gatewayUri = toGatewayUri(server, uri);
    for (const listener of this.updateListeners) listener(gatewayUri);
  }

  /** Rebuilds the snapshot of one kind from the servers' listings; listeners hear of real changes. */
  rebuild(kind: Exclude<OfferKind, 'tools'>): void {
    const servers = [...this.links.values()].map((l) => ({ name: l.name, offer: l.offer }));
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
    for (const listener of this.offerListeners) listener(change);
  }
}

export function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, entry] of b) if (a.get(name) !== entry) return false;
  return true;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

export type { UpstreamOutcome };

// The change notifications the gateway asks one upstream server for: list changes of tools,
// prompts and resources, and updates of the resources some /mcp session subscribed to (counted, so
// one upstream subscription serves every session that wants it).
// 2025-11-25 servers send list changes unasked and take resources/subscribe per URI; 2026-07-28
// servers send nothing unasked, so the gateway holds one subscriptions/listen stream naming every
// type and URI it wants, and replaces it when the URI set changes.
// https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/subscriptions
import type { Client, McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';
import { outsideCalls } from './call-context.js';
import type { ProtocolEra } from './connect.js';

interface Logger {
  warn(obj: object, msg?: string): void;
}

export interface UpstreamSubscriptionsOptions {
  name: string;
  client(): Client | undefined;
  era(): ProtocolEra | undefined;
  timeoutMs: number;
  /** The listen stream of a connected server dropped: the link checks the server. */
  onDropped(err: Error): void;
  logger?: Logger;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class UpstreamSubscriptions {
  /** Upstream URI → number of gateway sessions subscribed to it. */
  private readonly counts = new Map<string, number>();
  private listening: McpSubscription | undefined;
  /** Listen-stream changes, one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private epoch = 0;

  constructor(private readonly opts: UpstreamSubscriptionsOptions) {}

  /** URIs with at least one subscriber. */
  uris(): string[] {
    return [...this.counts.keys()];
  }

  async add(uri: string): Promise<void> {
    const n = (this.counts.get(uri) ?? 0) + 1;
    this.counts.set(uri, n);
    if (n === 1) await this.apply(uri, 'subscribe');
  }

  async remove(uri: string): Promise<void> {
    const n = (this.counts.get(uri) ?? 0) - 1;
    if (n > 0) return void this.counts.set(uri, n);
    if (!this.counts.delete(uri)) return;
    await this.apply(uri, 'unsubscribe');
  }

  /** After a (re)connect: asks the new connection for everything wanted so far. */
  async restore(): Promise<void> {
    if (this.opts.era() === 'modern') return this.relisten();
    if (!this.supportsSubscribe()) return;
    for (const uri of this.counts.keys()) await this.apply(uri, 'subscribe');
  }

  /** The connection went away: its stream went with it. */
  disconnected(): void {
    this.epoch++;
    const stream = this.listening;
    this.listening = undefined;
    void stream?.close().catch(() => undefined);
  }

  /** A 2026-07-28 server answered a health check: reopen the stream if it had dropped. */
  ensureListening(): void {
    if (!this.listening) void this.relisten();
  }

  private supportsSubscribe(): boolean {
    return this.opts.client()?.getServerCapabilities()?.resources?.subscribe === true;
  }

  private async apply(uri: string, op: 'subscribe' | 'unsubscribe'): Promise<void> {
    const client = this.opts.client();
    if (!client) return;
    if (this.opts.era() === 'modern') return this.relisten();
    if (!this.supportsSubscribe()) return;
    const call =
      op === 'subscribe'
        ? client.subscribeResource({ uri }, { timeout: this.opts.timeoutMs })
        : client.unsubscribeResource({ uri }, { timeout: this.opts.timeoutMs });
    await call.catch((err: unknown) =>
      this.opts.logger?.warn({ server: this.opts.name, uri, op, err: message(err) }, `MCP resource ${op} failed`),
    );
  }

  private filter(client: Client): SubscriptionFilter | undefined {
    const caps = client.getServerCapabilities() ?? {};
    const filter: SubscriptionFilter = {};
    if (caps.tools?.listChanged) filter.toolsListChanged = true;
    if (caps.prompts?.listChanged) filter.promptsListChanged = true;
    if (caps.resources?.listChanged) filter.resourcesListChanged = true;
    if (caps.resources?.subscribe && this.counts.size > 0) filter.resourceSubscriptions = [...this.counts.keys()];
    return Object.keys(filter).length > 0 ? filter : undefined;
  }

  /** Opens a stream with the current filter, then closes the one it replaces. */
  private relisten(): Promise<void> {
    this.chain = this.chain.then(() =>
      outsideCalls(async () => {
        const client = this.opts.client();
        const filter = client && this.filter(client);
        if (!client || !filter) return;
        const epoch = this.epoch;
        let stream: McpSubscription;
        try {
          stream = await client.listen(filter, { timeout: this.opts.timeoutMs });
        } catch (err) {
          this.opts.logger?.warn({ server: this.opts.name, err: message(err) }, 'MCP subscriptions/listen failed');
          return;
        }
        if (epoch !== this.epoch) return void (await stream.close().catch(() => undefined));
        const previous = this.listening;
        this.listening = stream;
        void stream.closed.then((reason) => {
          if (this.listening !== stream) return;
          this.listening = undefined;
          if (reason !== 'local') this.opts.onDropped(new Error(`the subscriptions/listen stream ended (${reason})`));
        });
        await previous?.close().catch(() => undefined);
      }),
    );
    return this.chain;
  }
}

// /mcp for 2026-07-28 clients: no initialize, no sessions — every request carries its protocol
// version and client capabilities, and the SDK's createMcpHandler validates it (version, headers
// against the body, the envelope) and answers server/discover and subscriptions/listen.
// https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http
//
// One handler per virtual key: its listen streams hear only of changes to that key's lists (a
// change of another key's tools stays quiet), and a key holds at most `maxListensPerKey` streams;
// each also holds a place among its team's and the gateway's sessions while it lives (sessions.ts).
// A listen stream's resourceSubscriptions are cut to the resources the key may read, and the
// gateway subscribes upstream for exactly those while the stream lives (at most `maxLifetimeMs`).
import { createMcpHandler, InMemoryServerEventBus, type McpHttpHandler } from '@modelcontextprotocol/server';
import type { Access } from '../../src/chat/ports.js';
import type { EndpointDeps, EndpointFailure } from './endpoint-deps.js';
import { createSessionServer, authInfoFor } from './session-server.js';
import { sameTools } from './tool-results.js';
import { carriesToolCall, recordEnvelopeRefusal } from './tool-call-ledger.js';

export interface ModernOptions {
  maxListensPerKey: number;
  /**
   * Holds a place for a listen stream among its team's and the gateway's sessions while it lives
   * (throws the 429/503 when there is none); `release` gives it back once.
   */
  reserve(access: Access): void;
  release(access: Access): void;
  maxLifetimeMs: number;
  keepAliveMs: number;
  onError?: (err: Error, failure: EndpointFailure) => void;
}

interface KeyChannel {
  handler: McpHttpHandler;
  bus: InMemoryServerEventBus;
  /** The key's latest Access (its policy decides what each change means to it). */
  access: Access;
  announced: ReturnType<typeof listsOf>;
  /** Ends the key's listen streams when the key is deleted, disabled or expires. */
  revoked: AbortController;
}

function listsOf(deps: EndpointDeps, access: Access) {
  const { offers, governance } = deps;
  return {
    tools: deps.toolsFor(access),
    prompts: governance.allowedOffers(access, 'prompt', offers.prompts(), (e) => e.name),
    resources: governance.allowedOffers(access, 'resource', offers.resources(), (e) => e.uri),
    templates: governance.allowedOffers(access, 'template', offers.resourceTemplates(), (e) => e.uriTemplate),
  };
}

type ListenBody = { method: 'subscriptions/listen'; params?: { notifications?: { resourceSubscriptions?: unknown } } };

function isListen(body: unknown): body is ListenBody {
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'subscriptions/listen';
}

export class ModernEndpoint {
  private readonly channels = new Map<string, KeyChannel>();
  /**
   * The requests the SDK's handler built a server for (its factory ran): past its envelope checks,
   * so a tools/call among them reaches the gateway's handler, which records it. A tools/call answered
   * with an error and not in here was refused by the SDK itself (handle records it).
   */
  private readonly reached = new WeakSet<Request>();
  private readonly unwatch: (() => void)[];

  constructor(
    private readonly deps: EndpointDeps,
    private readonly opts: ModernOptions,
  ) {
    this.unwatch = [
      deps.mcp.onToolsChanged(() => this.changed()),
      deps.keys?.onChanged(() => this.keysChanged()) ?? (() => undefined),
      deps.offers.onOfferChanged(() => this.changed()),
      deps.offers.onResourceUpdated((uri) => {
        for (const ch of this.channels.values()) {
          if (deps.governance.decideOffer(ch.access, 'resource', uri).allowed) ch.bus.publish({ kind: 'resource_updated', uri });
        }
      }),
    ];
  }

  /** Serves one 2026-07-28 request (the body already read and parsed). */
  async handle(request: Request, access: Access, body: unknown): Promise<Response> {
    const channel = this.channelFor(access);
    if (isListen(body)) return this.listen(channel, request, access, body);
    const response = await channel.handler.fetch(request, { authInfo: authInfoFor(access), parsedBody: body });
    // Refused at the envelope (headers against the body, the version, _meta, the media type) before
    // the gateway's handler could see it: a tools/call is still a call of this key, recorded refused.
    if (response.status >= 400 && !this.reached.has(request) && carriesToolCall(body)) {
      const answer = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
      recordEnvelopeRefusal(this.deps, access, body, response.status, answer?.error ?? {});
    }
    return response;
  }

  async close(): Promise<void> {
    for (const stop of this.unwatch) stop();
    await Promise.all([...this.channels.values()].map((ch) => ch.handler.close()));
    this.channels.clear();
  }

  private channelFor(access: Access): KeyChannel {
    const key = access.keyId ?? '';
    let channel = this.channels.get(key);
    if (!channel) {
      const { onError } = this.opts;
      const bus = new InMemoryServerEventBus(onError && ((err) => onError(err, { kind: 'event_bus' })));
      const handler = createMcpHandler(
        ({ authInfo, requestInfo }) => {
          const session = {
            id: null,
            access: (authInfo?.extra?.access as Access | undefined) ?? access,
            era: 'modern' as const,
            subscriptions: new Set<string>(),
          };
          const { server, dispose } = createSessionServer(this.deps, session);
          server.onclose = dispose;
          if (requestInfo) this.reached.add(requestInfo);
          return server;
        },
        {
          legacy: 'reject',
          bus,
          maxSubscriptions: this.opts.maxListensPerKey,
          keepAliveMs: this.opts.keepAliveMs,
          ...(onError ? { onerror: (err: Error) => onError(err, { kind: 'sdk' }) } : {}),
        },
      );
      channel = { handler, bus, access, announced: listsOf(this.deps, access), revoked: new AbortController() };
      this.channels.set(key, channel);
    }
    channel.access = access;
    return channel;
  }

  /**
   * A key changed (admin API, another replica): each key's channel takes its Access as it is now, so
   * a narrowed key's streams hear what it lost; a deleted or blocked key's streams end, and its
   * channel goes (its next request is refused at admission anyway).
   */
  private keysChanged(): void {
    for (const [id, ch] of this.channels) {
      try {
        ch.access = this.deps.keys!.refresh(ch.access);
      } catch {
        this.channels.delete(id);
        ch.revoked.abort();
      }
    }
    this.changed();
  }

  /** Publishes to each key's listen streams the kinds of list that changed for that key. */
  private changed(): void {
    for (const ch of this.channels.values()) {
      const next = listsOf(this.deps, ch.access);
      const before = ch.announced;
      ch.announced = next;
      if (!sameTools(next.tools, before.tools)) ch.bus.publish({ kind: 'tools_list_changed' });
      if (!same(next.prompts, before.prompts)) ch.bus.publish({ kind: 'prompts_list_changed' });
      if (!same(next.resources, before.resources) || !same(next.templates, before.templates))
        ch.bus.publish({ kind: 'resources_list_changed' });
    }
  }

  private async listen(channel: KeyChannel, request: Request, access: Access, body: ListenBody): Promise<Response> {
    const wanted = body.params?.notifications?.resourceSubscriptions;
    let uris: string[] = [];
    if (Array.isArray(wanted)) {
      // At most as many as a 2025 session may hold, each once: a stream cannot fan out upstream.
      const distinct = [...new Set(wanted.filter((u): u is string => typeof u === 'string'))];
      uris = distinct
        .filter((u) => this.deps.governance.decideOffer(access, 'resource', u).allowed)
        .slice(0, this.deps.maxSubscriptionsPerSession);
      // The stream is acknowledged with only the URIs this key may read.
      body = { ...body, params: { ...body.params, notifications: { ...body.params?.notifications, resourceSubscriptions: uris } } };
    }
    // Counted among its team's and the gateway's sessions (before, listen streams were bounded per key only).
    this.opts.reserve(access);
    const lifetime = AbortSignal.timeout(this.opts.maxLifetimeMs);
    const signal = AbortSignal.any([request.signal, lifetime, channel.revoked.signal]);
    const bounded = new Request(request.url, { method: request.method, headers: request.headers, signal });
    let subscribed: string[];
    try {
      subscribed = (await Promise.all(uris.map(async (u) => ((await this.deps.offers.subscribe(u)) ? u : undefined)))).filter(
        (u): u is string => u !== undefined,
      );
    } catch (err) {
      this.opts.release(access);
      throw err;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.opts.release(access);
      for (const u of subscribed) void this.deps.offers.unsubscribe(u).catch(() => undefined);
    };
    signal.addEventListener('abort', release, { once: true });
    let response: Response;
    try {
      response = await channel.handler.fetch(bounded, { authInfo: authInfoFor(access), parsedBody: body });
    } catch (err) {
      release();
      throw err;
    }
    if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
      release();
      return response;
    }
    return new Response(endsWith(response.body, release), response);
  }
}

/** The same stream, calling `done` once when it ends, fails or its reader goes away (the client disconnected). */
function endsWith(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
}

function same<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}

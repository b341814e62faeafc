// Prompts, resources, resource templates and completions at /mcp: the key's share of what the
// upstream servers offer, under gateway names (`server__prompt`, `server+<uri>`), each use decided
// by the key's rules (src/governance/offer-policy.ts) and recorded (offer-ledger.ts).
// https://modelcontextprotocol.io/specification/2026-07-28/server/prompts
// https://modelcontextprotocol.io/specification/2026-07-28/server/resources
// https://modelcontextprotocol.io/specification/2026-07-28/server/utilities/completion
import { ProtocolError, ProtocolErrorCode, type Server, type ServerContext } from '@modelcontextprotocol/server';
import type { Access } from '../../src/chat/ports.js';
import type { McpPromptEntry, McpResourceEntry, McpTemplateEntry } from '../offer-catalog.js';
import { gatewayContents, gatewayMessage } from '../resource-uris.js';
import type { UpstreamOutcome } from '../upstream-call.js';
import { ownResult } from './tool-results.js';
import type { EndpointDeps } from './endpoint-deps.js';
import { recordOfferUse, type OfferUse } from './offer-ledger.js';
import { accessOf, type SessionContext } from './session-server.js';
import { cacheHints } from './tool-handlers.js';

const EMPTY_COMPLETION = { completion: { values: [], hasMore: false } };

// The allowed lists are cached per key and snapshot (GovernanceGate.allowedOffers); so are these.
const shapes = new WeakMap<readonly object[], unknown[]>();
function definitions<E extends { definition: unknown }>(list: readonly E[]): E['definition'][] {
  let out = shapes.get(list);
  if (!out) shapes.set(list, (out = list.map((e) => e.definition)));
  return out as E['definition'][];
}

const promptName = (e: McpPromptEntry) => e.name;
const resourceUri = (e: McpResourceEntry) => e.uri;
const templateUri = (e: McpTemplateEntry) => e.uriTemplate;

/** The JSON-RPC error for a use that did not succeed: the server's own, or the gateway's. */
function failed(outcome: UpstreamOutcome<unknown>, gatewayUri?: string): ProtocolError {
  const error = outcome.error;
  if (error) {
    // A resource error names the URI the client asked for (SEP-2164), never the upstream's.
    const data = gatewayUri
      ? { ...(typeof error.data === 'object' && error.data !== null ? error.data : {}), uri: gatewayUri }
      : error.data;
    return new ProtocolError(error.code, error.message, data);
  }
  return new ProtocolError(ProtocolErrorCode.InternalError, `tollgate: ${outcome.status}: ${outcome.errorMessage ?? 'failed'}`);
}

export function registerOfferHandlers(server: Server, deps: EndpointDeps, session: SessionContext): () => void {
  const { offers, governance } = deps;
  const record = (use: Omit<OfferUse, 'sessionId'>) =>
    recordOfferUse(deps.ledger, { ...use, sessionId: session.id }).catch((err: unknown) =>
      deps.onError?.(err as Error, { kind: 'offer_use_record', keyId: use.access.keyId }),
    );
  const prompts = (access: Access) => governance.allowedOffers(access, 'prompt', offers.prompts(), promptName);
  const resources = (access: Access) => governance.allowedOffers(access, 'resource', offers.resources(), resourceUri);
  const templates = (access: Access) => governance.allowedOffers(access, 'template', offers.resourceTemplates(), templateUri);

  server.setRequestHandler('prompts/list', (_req, ctx) => ({
    prompts: definitions(prompts(accessOf(session, ctx))),
    ...cacheHints(deps, session),
  }));

  server.setRequestHandler('prompts/get', async (req, ctx) => {
    const access = accessOf(session, ctx);
    const { name, arguments: args } = req.params;
    const entry = offers.getPrompt(name);
    const base = { kind: 'prompt' as const, access, name, server: entry?.server ?? '', item: entry?.prompt ?? name, args: args ?? {} };
    const decision = governance.decideOffer(access, 'prompt', name);
    if (!decision.allowed) {
      await record({ ...base, status: 'denied', reason: decision.reason, error: decision.message, latencyMs: 0 });
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, decision.message);
    }
    if (!entry) {
      await record({ ...base, status: 'unknown_tool', reason: 'unknown_prompt', latencyMs: 0 });
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    }
    const outcome = await offers.getPromptResult(name, args, ctx.mcpReq.signal, access);
    await record({ ...base, status: outcome.status, error: outcome.errorMessage, latencyMs: outcome.latencyMs });
    if (!outcome.result) throw failed(outcome);
    const result = ownResult(outcome.result);
    return { ...result, messages: result.messages.map((m) => gatewayMessage(entry.server, m)) };
  });

  server.setRequestHandler('resources/list', (_req, ctx) => ({
    resources: definitions(resources(accessOf(session, ctx))),
    ...cacheHints(deps, session),
  }));

  server.setRequestHandler('resources/templates/list', (_req, ctx) => ({
    resourceTemplates: definitions(templates(accessOf(session, ctx))),
    ...cacheHints(deps, session),
  }));

  server.setRequestHandler('resources/read', async (req, ctx) => {
    const access = accessOf(session, ctx);
    const uri = req.params.uri;
    const target = offers.resolveUri(uri);
    const base = { kind: 'resource' as const, access, name: uri, server: target?.server ?? '', item: target?.uri ?? uri };
    const decision = governance.decideOffer(access, 'resource', uri);
    if (!decision.allowed) {
      await record({ ...base, status: 'denied', reason: decision.reason, error: decision.message, latencyMs: 0 });
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, decision.message, { uri });
    }
    if (!target) {
      await record({ ...base, status: 'unknown_tool', reason: 'unknown_resource', latencyMs: 0 });
      // SEP-2164: an unknown resource is Invalid Params naming the URI, never empty contents.
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
    }
    const outcome = await offers.readResource(uri, ctx.mcpReq.signal, access);
    await record({ ...base, status: outcome.status, error: outcome.errorMessage, latencyMs: outcome.latencyMs });
    if (!outcome.result) throw failed(outcome, uri);
    const hint = (outcome.result as { ttlMs?: unknown }).ttlMs;
    const result = ownResult(outcome.result);
    return {
      ...result,
      contents: result.contents.map((c) => gatewayContents(target.server, c)),
      ...(session.era === 'modern' ? { ttlMs: typeof hint === 'number' ? hint : 0, cacheScope: 'private' as const } : {}),
    };
  });

  server.setRequestHandler('resources/subscribe', async (req, ctx) => {
    const access = accessOf(session, ctx);
    const uri = req.params.uri;
    const decision = governance.decideOffer(access, 'resource', uri);
    if (!decision.allowed) throw new ProtocolError(ProtocolErrorCode.InvalidParams, decision.message, { uri });
    if (session.subscriptions.has(uri)) return {};
    if (session.subscriptions.size >= deps.maxSubscriptionsPerSession) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidRequest,
        `tollgate: at most ${deps.maxSubscriptionsPerSession} resource subscriptions per session`,
      );
    }
    // The URI is the session's before the upstream subscribe is waited for: requests of one session
    // run at once (a batch, parallel POSTs), and each must see the others' in the bound and in
    // has() above, or the session holds more than its share and counts one URI twice upstream
    // (given back once at its end: an upstream subscription for nobody, for good). offers.subscribe
    // counts the URI before its first await, so a session that ends meanwhile gives it back.
    session.subscriptions.add(uri);
    if (!(await offers.subscribe(uri))) {
      session.subscriptions.delete(uri);
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
    }
    return {};
  });

  server.setRequestHandler('resources/unsubscribe', async (req) => {
    if (session.subscriptions.delete(req.params.uri)) await offers.unsubscribe(req.params.uri);
    return {};
  });

  server.setRequestHandler('completion/complete', async (req, ctx: ServerContext) => {
    const access = accessOf(session, ctx);
    const ref = req.params.ref;
    // A reference this key may not use completes to nothing, exactly like an unknown one.
    const decision =
      ref.type === 'ref/prompt' ? governance.decideOffer(access, 'prompt', ref.name) : governance.decideOffer(access, 'template', ref.uri);
    if (!decision.allowed) return EMPTY_COMPLETION;
    const outcome = await offers.complete(req.params, ctx.mcpReq.signal, access);
    if (!outcome) return EMPTY_COMPLETION;
    if (!outcome.result) throw failed(outcome);
    return ownResult(outcome.result);
  });

  return session.era === 'legacy' ? watchOffers(server, deps, session) : () => undefined;
}

/** Tells a 2025 session when its key's prompts or resources change, and when a subscribed resource does. */
function watchOffers(server: Server, deps: EndpointDeps, session: SessionContext): () => void {
  const { offers, governance } = deps;
  const current = () => ({
    prompts: governance.allowedOffers(session.access, 'prompt', offers.prompts(), promptName),
    resources: governance.allowedOffers(session.access, 'resource', offers.resources(), resourceUri),
    templates: governance.allowedOffers(session.access, 'template', offers.resourceTemplates(), templateUri),
  });
  let announced = current();
  const report = (err: unknown) => deps.onError?.(err as Error, { kind: 'notification' });
  const stopOffers = offers.onOfferChanged((change) => {
    const next = current();
    if (change === 'prompts' && !sameItems(next.prompts, announced.prompts)) server.sendPromptListChanged().catch(report);
    if (change === 'resources' && (!sameItems(next.resources, announced.resources) || !sameItems(next.templates, announced.templates))) {
      server.sendResourceListChanged().catch(report);
    }
    announced = next;
  });
  const stopUpdates = offers.onResourceUpdated((uri) => {
    if (session.subscriptions.has(uri)) server.sendResourceUpdated({ uri }).catch(report);
  });
  return () => {
    stopOffers();
    stopUpdates();
    for (const uri of session.subscriptions) {
      void offers.unsubscribe(uri).catch((err: unknown) => deps.onError?.(err as Error, { kind: 'unsubscribe', uri }));
    }
    session.subscriptions.clear();
  };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}

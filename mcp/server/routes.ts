// /mcp: Tollgate as an MCP server, for clients of every revision on one endpoint.
// - 2026-07-28 requests (per-request metadata, no session) go to the SDK's createMcpHandler,
//   one per key (modern.ts).
// - 2025 clients get Streamable HTTP sessions (POST/GET/DELETE /mcp, one per mcp-session-id) and,
//   older still, HTTP+SSE (GET /mcp/sse + POST /mcp/messages).
// Every request passes the Origin/Host check (origin-guard.ts) and is authenticated by the virtual
// key before any MCP handling (a 401/403/429 is the usual OpenAI error body); each JSON-RPC message
// counts against the key's request rate (a batch counts its every message); a session only answers
// to the key that opened it, and sessions are bounded per key, when idle and in age (sessions.ts).
// Its session rules are in endpoint-sessions.ts, the JSON-RPC errors it answers itself in rpc-errors.ts.
// Transports: https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Context, Hono } from 'hono';
import { createRequestStateCodec, isLegacyRequest } from '@modelcontextprotocol/server';
import type { AppEnv } from '../../src/app-env.js';
import type { Access, Gate } from '../../src/chat/ports.js';
import { GatewayError } from '../../src/errors.js';
import type { EndpointDeps } from './endpoint-deps.js';
import { type AloneAnswer, aloneHeaders, aloneResponse, type ClientGone } from './json-answer.js';
import { SessionTransport } from './session-transport.js';
import { surelyLegacy } from './plain-request.js';
import { ModernEndpoint } from './modern.js';
import { fullRequest, lightRequest, NodeFetchHeaders, type NodeMcpAnswer, type NodeMcpPost } from './node-post.js';
import { checkOrigin, type OriginPolicy } from './origin-guard.js';
import { PendingCalls } from './pending-calls.js';
import { endpointSessions, type EndpointSession } from './endpoint-sessions.js';
import { BATCH_TOO_LONG, nodeRpcError, parseBody, rpcError, tooLongBatch } from './rpc-errors.js';
import { recordRefusedPost } from './tool-call-ledger.js';
import { slimRequestMeta } from './request-meta.js';
import { authInfoFor } from './session-server.js';
import { SessionStore, type SessionLimits } from './sessions.js';
import { SseServerTransport } from './sse-transport.js';
import { MCP_STREAM_DEFAULTS } from '../../src/config-mcp-stream.js';
import { boundedResponse, type StreamBounds } from './bounded-stream.js';

export interface McpEndpointLimits extends SessionLimits {
  /** How long a tool call waits for its client to answer an elicitation or sampling request. */
  inputTimeoutMs: number;
  /** Tool calls of one key waiting for input at once. */
  maxPendingPerKey: number;
  /** The ttlMs hint on list results of 2026-07-28 requests. */
  listTtlMs: number;
  maxSubscriptionsPerSession: number;
  /** What an event stream may queue for a client that does not read (bounded-stream.ts; defaults: MCP_STREAM_DEFAULTS). */
  streamHighWaterMark?: number;
  streamMaxQueued?: number;
}

type Supplied = 'serverInfo' | 'pending' | 'stateCodec' | 'listTtlMs' | 'maxSubscriptionsPerSession';

export interface McpEndpointDeps extends Omit<EndpointDeps, Supplied> {
  gate: Gate;
  serverInfo?: { name: string; version: string };
  limits: McpEndpointLimits;
  origin: OriginPolicy;
  /** SSE keep-alive comment interval (default 15 s). */
  keepAliveMs?: number;
  now?: () => number;
}

export type { NodeMcpAnswer, NodeMcpPost } from './node-post.js';

export interface McpEndpoint {
  sessions: SessionStore<EndpointSession>;
  pending: PendingCalls;
  /** Adds the endpoint's routes (/mcp, /mcp/sse, /mcp/messages) to the app; createApp calls it. */
  mount(app: Hono<AppEnv>): void;
  /**
   * A POST /mcp that carries an Mcp-Session-Id (a 2025 session's requests: its tool calls), as the
   * Hono route serves it (the same checks, session rules and answers) without Hono's Request,
   * Context and Response; the Node listener sends only those here (node-hot-routes.ts says why).
   */
  serveSessionPost(post: NodeMcpPost): Promise<NodeMcpAnswer>;
  /** Ends every session and stream (on gateway shutdown). */
  close(): Promise<void>;
}

/** The endpoint's state (sessions, pending calls) and its routes, which createApp mounts. */
export function createMcpEndpoint(deps: McpEndpointDeps): McpEndpoint {
  const now = deps.now ?? Date.now;
  const { limits } = deps;
  const store = new SessionStore<EndpointSession>({ ...limits, now });
  const pending = new PendingCalls({ inputTimeoutMs: limits.inputTimeoutMs, maxPerKey: limits.maxPendingPerKey });
  if (deps.onCallFailed) pending.onCallFailed = deps.onCallFailed;
  // Continuation state of calls waiting for input lives in this process; the key is too.
  const stateCodec = createRequestStateCodec<{ call: string }>({
    key: randomBytes(32),
    ttlSeconds: Math.ceil(limits.inputTimeoutMs / 1000),
    bind: (ctx) => ctx.http?.authInfo?.clientId ?? '',
  });
  const serverDeps: EndpointDeps = {
    ...deps,
    serverInfo: deps.serverInfo ?? { name: 'tollgate', version: '0.1.0' },
    pending,
    stateCodec,
    listTtlMs: limits.listTtlMs,
    maxSubscriptionsPerSession: limits.maxSubscriptionsPerSession,
  };
  const keepAliveMs = deps.keepAliveMs ?? 15_000;
  const { reserve, reserveListen, unreserveListen, sessionFor, open } = endpointSessions(store, serverDeps, limits, now);
  const modern = new ModernEndpoint(serverDeps, {
    maxListensPerKey: limits.maxSessionsPerKey,
    reserve: reserveListen,
    release: unreserveListen,
    maxLifetimeMs: limits.maxLifetimeMs,
    keepAliveMs,
    ...(deps.onError ? { onError: deps.onError } : {}),
  });

  // Every /mcp event stream holds at most this much for a client that does not read (README, Isolation).
  const bounds: StreamBounds = {
    highWaterMark: limits.streamHighWaterMark ?? MCP_STREAM_DEFAULTS.highWaterMark,
    maxQueued: limits.streamMaxQueued ?? MCP_STREAM_DEFAULTS.maxQueued,
    stallMs: limits.inputTimeoutMs,
  };

  /**
   * One POST on an open 2025 session (the body read and parsed), answered by its transport: a
   * single request's answer as JSON text when nothing came before it (json-answer.ts); undefined
   * when there is no such session of this kind (the client gets 404 and initializes again).
   */
  const postToSession = async (
    id: string,
    request: Request,
    access: Access,
    body: unknown,
    clientGone: ClientGone,
  ): Promise<Response | AloneAnswer | undefined> => {
    const session = sessionFor(id, 'streamable', access);
    if (!session?.streamable) return undefined;
    return session.streamable.serve(request, body, authInfoFor(access), clientGone);
  };

  /**
   * A POST's key, authenticated (and counted once) before its body is even parsed: an unknown
   * client learns nothing and costs no parsing. Then its body; a JSON-RPC batch (2025-03-26)
   * counts each further message against the request rate. `read.ok` false: the body is not JSON.
   * A batch the caller refuses for its length (tooLongBatch) is left as it is and counts as the one
   * request its POST is, as a refused body on /v1/* counts once: the refusal does no work for it.
   * A known key refused (429, 403) has its tool calls recorded refused (recordRefusedPost).
   */
  const admitPost = async (headers: Pick<Headers, 'get'>, text: () => Promise<string>) => {
    let access: Access;
    try {
      access = await deps.gate.admit(headers);
    } catch (err) {
      if (err instanceof GatewayError && err.requester) {
        const read = parseBody(await text().catch(() => ''));
        if (read.ok) recordRefusedPost(deps, err.requester, err, read.body);
      }
      throw err;
    }
    const read = parseBody(await text());
    if (!read.ok || tooLongBatch(read.body)) return { access, read };
    slimRequestMeta(read.body);
    if (Array.isArray(read.body) && read.body.length > 1)
      await deps.gate.admit(headers, read.body.length - 1).catch((err: unknown) => {
        if (err instanceof GatewayError && err.requester) recordRefusedPost(deps, err.requester, err, read.body);
        throw err;
      });
    return { access, read };
  };

  const serveSessionPost = async (post: NodeMcpPost): Promise<NodeMcpAnswer> => {
    const headers = new NodeFetchHeaders(post.headers);
    checkOrigin(headers, deps.origin);
    const { access, read } = await admitPost(headers, post.readBody);
    if (!read.ok) return nodeRpcError(400, read.code, read.message);
    if (tooLongBatch(read.body)) return nodeRpcError(400, -32600, BATCH_TOO_LONG);
    const body = read.body;
    const request = lightRequest(post.url, headers);
    const legacy = surelyLegacy(body, headers.get('mcp-protocol-version')) || (await isLegacyRequest(request, body));
    // The Node listener relays an event stream as the socket takes it; a client let go is destroyed.
    const bound = (r: Response) => boundedResponse(r, bounds, () => post.outgoing.destroy());
    if (!legacy) return bound(await modern.handle(fullRequest(post), access, body));
    const answer = await postToSession(headers.get('mcp-session-id') ?? '', request, access, body, post.outgoing);
    if (answer === undefined) return nodeRpcError(404, -32001, 'Session not found');
    if (answer instanceof Response) return bound(answer);
    return { status: answer.status, headers: aloneHeaders(answer), text: answer.json };
  };

  /** GET, POST and DELETE /mcp as Hono serves them (its event streams bounded by the route). */
  const serveMcp = async (c: Context): Promise<Response> => {
    const method = c.req.method;
    const { access, read } =
      method === 'POST'
        ? await admitPost(c.req.raw.headers, () => c.req.text())
        : { access: await deps.gate.admit(c.req.raw.headers), read: { ok: true, body: undefined } as const };
    if (!read.ok) return rpcError(c, 400, read.code, read.message);
    if (tooLongBatch(read.body)) return rpcError(c, 400, -32600, BATCH_TOO_LONG);
    const body = read.body;
    // The request as @hono/node-server made it: its body was read directly (readBody) and the SDK
    // is handed the parsed body, so it only reads the method, URL, headers and signal, which this
    // light object serves without building a WHATWG Request. A body-less copy (new Request) cost
    // ~60 µs per /mcp call (issue 20 profile).
    const request = c.req.raw;
    if (method === 'POST' && !(await isLegacyRequest(request, body))) return modern.handle(request, access, body);

    const id = c.req.header('mcp-session-id');
    const options = { authInfo: authInfoFor(access), ...(body !== undefined ? { parsedBody: body } : {}) };
    if (id && method === 'POST') {
      // Served by Node (@hono/node-server's bindings): its response says when the client leaves.
      const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
      const answer = await postToSession(id, request, access, body, outgoing ?? request.signal);
      // 404 tells a client its session is gone (idle, expired, restarted gateway) and to initialize again.
      if (answer === undefined) return rpcError(c, 404, -32001, 'Session not found');
      return answer instanceof Response ? answer : aloneResponse(answer);
    }
    if (id) {
      const session = sessionFor(id, 'streamable', access);
      if (!session?.streamable) return rpcError(c, 404, -32001, 'Session not found');
      return session.streamable.handleRequest(request, options);
    }
    // Without a session, only a POST (an initialize) makes sense; there is no standalone stream.
    if (method !== 'POST') return rpcError(c, 405, -32000, 'Method not allowed: GET and DELETE need an Mcp-Session-Id');

    reserve(access);
    let added = false;
    const transport: SessionTransport = new SessionTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        session.id = sid;
        session.ctx.id = sid;
        store.add(session);
        added = true;
      },
    });
    const { server, session } = open(null, 'streamable', access, transport);
    session.streamable = transport;
    try {
      await transport.connectTo(server);
      return await transport.handleRequest(request, options);
    } finally {
      // Not an initialize request (or a failed one): nothing to keep.
      if (!added) {
        store.unreserve(access.keyId, access.teamId);
        void server.close();
      }
    }
  };

  const guard = async (c: Context, next: () => Promise<void>) => {
    checkOrigin(c.req.raw.headers, deps.origin);
    await next();
  };
  const mount = (app: Hono<AppEnv>) => {
    app.use('/mcp', guard);
    app.use('/mcp/*', guard);

    app.all('/mcp', async (c) => boundedResponse(await serveMcp(c), bounds));

    app.get('/mcp/sse', async (c) => {
      const access = await deps.gate.admit(c.req.raw.headers);
      reserve(access);
      const id = randomUUID();
      const transport = new SseServerTransport({
        sessionId: id,
        endpoint: `/mcp/messages?sessionId=${id}`,
        keepAliveMs,
        ...bounds,
      });
      const { server, session } = open(id, 'sse', access, transport);
      session.sse = transport;
      store.add(session);
      await server.connect(transport);
      return transport.response;
    });

    app.post('/mcp/messages', async (c) => {
      const { access, read } = await admitPost(c.req.raw.headers, () => c.req.text());
      const session = sessionFor(c.req.query('sessionId') ?? '', 'sse', access);
      if (!session?.sse) return rpcError(c, 404, -32001, 'Session not found');
      if (!read.ok) return rpcError(c, 400, read.code, read.message);
      // As on /mcp (the SDK's Streamable HTTP limit): each message below costs a zod parse and a
      // dispatch, 40,000 of them 2.1 s of event loop (103× JSON.parse of the body, issue 20).
      if (tooLongBatch(read.body)) return rpcError(c, 400, -32600, BATCH_TOO_LONG);
      const messages = Array.isArray(read.body) ? read.body : [read.body];
      for (const message of messages) {
        await session.sse.handleMessage(message, { authInfo: authInfoFor(access) }).catch((err: Error) => {
          throw new GatewayError({ status: 400, type: 'invalid_request_error', message: err.message });
        });
      }
      return c.text('Accepted', 202);
    });
  };

  return {
    sessions: store,
    pending,
    mount,
    serveSessionPost,
    close: async () => {
      await modern.close();
      await store.closeAll();
    },
  };
}

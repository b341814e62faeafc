// /mcp: Tollgate as an MCP server. Streamable HTTP (POST/GET/DELETE /mcp, one session per
// mcp-session-id) and, for older clients, HTTP+SSE (GET /mcp/sse + POST /mcp/messages).
// Every request is authenticated by the virtual key before any MCP handling (a 401/403/429 is the
// usual OpenAI error body), and a session only answers to the key that opened it.
// Transports: https://modelcontextprotocol.io/specification/2025-06-18/basic/transports
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { AppEnv } from '../../src/app.js';
import type { Access, Gate } from '../../src/chat/ports.js';
import { GatewayError, invalidRequest } from '../../src/errors.js';
import { authInfoFor, createSessionServer, type SessionContext, type SessionServerDeps } from './session-server.js';
import { SessionStore, type McpSession } from './sessions.js';
import { SseServerTransport } from './sse-transport.js';

export interface McpEndpointDeps extends Omit<SessionServerDeps, 'serverInfo'> {
  gate: Gate;
  serverInfo?: { name: string; version: string };
  /** Open sessions at most (default 1000); beyond it new sessions get 503. */
  maxSessions?: number;
  /** Streamable HTTP sessions idle this long are closed (default 30 min). */
  idleTimeoutMs?: number;
  /** SSE keep-alive comment interval (default 15 s). */
  keepAliveMs?: number;
  now?: () => number;
}

export interface McpEndpoint {
  sessions: SessionStore<EndpointSession>;
  /** Ends every session (on gateway shutdown). */
  close(): Promise<void>;
}

interface EndpointSession extends McpSession {
  ctx: SessionContext;
  streamable?: WebStandardStreamableHTTPServerTransport;
  sse?: SseServerTransport;
}

// JSON-RPC error bodies as the SDK transport writes them, for requests it never sees.
const rpcError = (c: Context, status: 400 | 404, code: number, message: string) =>
  c.json({ jsonrpc: '2.0', error: { code, message }, id: null }, status);

export function mountMcpEndpoint(app: Hono<AppEnv>, deps: McpEndpointDeps): McpEndpoint {
  const now = deps.now ?? Date.now;
  const store = new SessionStore<EndpointSession>({
    maxSessions: deps.maxSessions ?? 1000,
    idleTimeoutMs: deps.idleTimeoutMs ?? 30 * 60_000,
    now,
  });
  const serverDeps: SessionServerDeps = { ...deps, serverInfo: deps.serverInfo ?? { name: 'tollgate', version: '0.1.0' } };

  const admit = (c: Context) => deps.gate.admit(c.req.raw.headers);
  const reserve = () => {
    if (!store.reserve())
      throw new GatewayError({
        status: 503,
        type: 'service_unavailable',
        code: 'mcp_sessions_exhausted',
        message: 'too many open MCP sessions; retry later',
        retryAfter: 5,
      });
  };

  /** The session for this id, if the same key opened it; a different key is refused outright. */
  const sessionFor = (id: string, kind: McpSession['kind'], access: Access): EndpointSession | undefined => {
    const session = store.get(id);
    if (!session || session.kind !== kind) return undefined;
    if (session.keyId !== access.keyId) {
      throw new GatewayError({
        status: 403,
        type: 'authentication_error',
        code: 'mcp_session_key_mismatch',
        message: 'this MCP session belongs to a different virtual key',
      });
    }
    session.lastSeen = now();
    session.ctx.access = access;
    return session;
  };

  const open = (id: string | null, kind: McpSession['kind'], access: Access, transport: { close(): Promise<void> }) => {
    const ctx: SessionContext = { id, access };
    const { server, dispose } = createSessionServer(serverDeps, ctx);
    const session: EndpointSession = {
      id: id ?? '',
      kind,
      keyId: access.keyId,
      lastSeen: now(),
      ctx,
      close: () => transport.close(),
    };
    // Whichever side ends the session (DELETE, stream closed, idle sweep, shutdown), clean up once.
    server.onclose = () => {
      dispose();
      if (ctx.id) store.delete(ctx.id);
    };
    return { server, session };
  };

  app.all('/mcp', async (c) => {
    const access = await admit(c);
    const id = c.req.header('mcp-session-id');
    if (id) {
      const session = sessionFor(id, 'streamable', access);
      // 404 tells a client its session is gone (idle, restarted gateway) and to initialize again.
      if (!session?.streamable) return rpcError(c, 404, -32001, 'Session not found');
      return session.streamable.handleRequest(c.req.raw, { authInfo: authInfoFor(access) });
    }
    if (c.req.method !== 'POST') return rpcError(c, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');

    reserve();
    let added = false;
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
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
      await server.connect(transport);
      return await transport.handleRequest(c.req.raw, { authInfo: authInfoFor(access) });
    } finally {
      // Not an initialize request (or a failed one): nothing to keep.
      if (!added) {
        store.unreserve();
        void server.close();
      }
    }
  });

  app.get('/mcp/sse', async (c) => {
    const access = await admit(c);
    reserve();
    const id = randomUUID();
    const transport = new SseServerTransport({
      sessionId: id,
      endpoint: `/mcp/messages?sessionId=${id}`,
      keepAliveMs: deps.keepAliveMs ?? 15_000,
    });
    const { server, session } = open(id, 'sse', access, transport);
    session.sse = transport;
    store.add(session);
    await server.connect(transport);
    return transport.response;
  });

  app.post('/mcp/messages', async (c) => {
    const access = await admit(c);
    const session = sessionFor(c.req.query('sessionId') ?? '', 'sse', access);
    if (!session?.sse) return rpcError(c, 404, -32001, 'Session not found');
    const body: unknown = await c.req.json().catch(() => {
      throw invalidRequest('the body is not valid JSON');
    });
    await session.sse.handleMessage(body, { authInfo: authInfoFor(access) }).catch((err: Error) => {
      throw invalidRequest(err.message);
    });
    return c.text('Accepted', 202);
  });

  return { sessions: store, close: () => store.closeAll() };
}

// The /mcp endpoint's session rules, apart from its routes (routes.ts): opening a session (its own
// SDK server, bounded per key and in total: a refusal is the usual OpenAI error), finding one (only
// for the key that opened it) and cleaning up once, whichever side ends it.
import type { Access } from '../../src/chat/ports.js';
import { GatewayError } from '../../src/errors.js';
import { Deliveries } from './deliveries.js';
import type { EndpointDeps } from './endpoint-deps.js';
import type { RequestId } from './plain-request.js';
import type { SessionTransport } from './session-transport.js';
import { createSessionServer, type SessionContext } from './session-server.js';
import type { McpSession, ReserveRefusal, SessionLimits, SessionStore } from './sessions.js';
import type { SseServerTransport } from './sse-transport.js';

export interface EndpointSession extends McpSession {
  ctx: SessionContext;
  streamable?: SessionTransport;
  sse?: SseServerTransport;
}

/** What of a session's transport the session rules use. */
interface SessionTransportLike {
  close(): Promise<void>;
  deliveries: Deliveries | undefined;
  /** Whether what concerns request `id` can still reach the client (Streamable HTTP: SessionTransport.reaches). */
  reaches?(id: RequestId): boolean;
}

export interface EndpointSessions {
  /** Holds a place for a new session of this key; throws the 503/429 when there is none. */
  reserve(access: Access): void;
  /** Holds a place for a 2026-07-28 listen stream (its team's share, the total): SessionStore.reserveListen. */
  reserveListen(access: Access): void;
  unreserveListen(access: Access): void;
  /** The session for this id, if the same key opened it; a different key is refused outright. */
  sessionFor(id: string, kind: McpSession['kind'], access: Access): EndpointSession | undefined;
  /** A new session's SDK server and record (added to the store by the caller, once it has an id). */
  open(
    id: string | null,
    kind: McpSession['kind'],
    access: Access,
    transport: SessionTransportLike,
  ): { server: ReturnType<typeof createSessionServer>['server']; session: EndpointSession };
}

export function endpointSessions(
  store: SessionStore<EndpointSession>,
  serverDeps: EndpointDeps,
  limits: Pick<SessionLimits, 'maxSessionsPerKey' | 'maxSessionsPerTeam'>,
  now: () => number,
): EndpointSessions {
  const refuse = (refusal: ReserveRefusal | null, access: Access) => {
    if (refusal === 'gateway') {
      throw new GatewayError({
        status: 503,
        type: 'service_unavailable',
        code: 'mcp_sessions_exhausted',
        message: 'too many open MCP sessions; retry later',
        retryAfter: 5,
      });
    }
    if (refusal === 'key') {
      throw new GatewayError({
        status: 429,
        type: 'rate_limited',
        code: 'mcp_key_sessions_exhausted',
        message: `virtual key ${access.keyId ?? '(none)'} holds its ${limits.maxSessionsPerKey} open MCP sessions; close one (DELETE /mcp) or retry later`,
        retryAfter: 5,
      });
    }
    if (refusal === 'team') {
      throw new GatewayError({
        status: 429,
        type: 'rate_limited',
        code: 'mcp_team_sessions_exhausted',
        message: `the keys of team ${access.teamId} hold its ${limits.maxSessionsPerTeam} open MCP sessions; close one (DELETE /mcp) or retry later`,
        retryAfter: 5,
      });
    }
  };
  const reserve = (access: Access) => refuse(store.reserve(access.keyId, access.teamId), access);
  const reserveListen = (access: Access) => refuse(store.reserveListen(access.teamId), access);
  const unreserveListen = (access: Access) => store.unreserveListen(access.teamId);

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

  const open = (id: string | null, kind: McpSession['kind'], access: Access, transport: SessionTransportLike) => {
    const ctx: SessionContext = { id, access, era: 'legacy', subscriptions: new Set(), deliveries: new Deliveries() };
    if (transport.reaches) ctx.reaches = (request) => transport.reaches!(request);
    transport.deliveries = ctx.deliveries;
    const { server, dispose } = createSessionServer(serverDeps, ctx);
    const session: EndpointSession = {
      id: id ?? '',
      kind,
      keyId: access.keyId,
      teamId: access.teamId,
      openedAt: now(),
      lastSeen: now(),
      ctx,
      close: () => transport.close(),
    };
    // Whichever side ends the session (DELETE, stream closed, sweep, shutdown), clean up once.
    server.onclose = () => {
      dispose();
      ctx.deliveries?.close();
      if (ctx.id) store.delete(ctx.id);
    };
    return { server, session };
  };

  return { reserve, reserveListen, unreserveListen, sessionFor, open };
}

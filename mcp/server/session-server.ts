// One MCP server (the SDK's low-level Server: everything it lists is dynamic and per key) for one
// /mcp session of a 2025 client, or for one request of a 2026-07-28 client. It lists the key's
// tools, prompts, resources and templates — the same decisions the chat loop and every call use —
// and serves calls through the governed paths (tool-handlers.ts, offer-handlers.ts).
import type { AuthInfo, Server, ServerContext } from '@modelcontextprotocol/server';
import type { Access } from '../../src/chat/ports.js';
import { registerOfferHandlers } from './offer-handlers.js';
import { SessionMcpServer } from './plain-tool-calls.js';
import { registerToolHandlers } from './tool-handlers.js';
import type { Deliveries } from './deliveries.js';
import type { RequestId } from './plain-request.js';
import type { EndpointDeps } from './endpoint-deps.js';

export type { EndpointDeps, EndpointOffers, EndpointTools, OfferGovernance } from './endpoint-deps.js';

export type Era = 'legacy' | 'modern';

export interface SessionContext {
  /** The session id (2025 Streamable HTTP assigns it during initialize); null per request (2026). */
  id: string | null;
  /** The Access of the latest request on this session (for notifications, which have no request). */
  access: Access;
  era: Era;
  /** Gateway URIs this session subscribed to (resources/subscribe, 2025 sessions). */
  readonly subscriptions: Set<string>;
  /** Which answers reached the client (2025 sessions): a tool call's row waits for its answer's fate. */
  deliveries?: Deliveries;
  /**
   * Whether what concerns request `id` (a question for the client) can still reach it; undefined:
   * always (a 2026-07-28 request, an HTTP+SSE session, whose calls end with their stream).
   */
  reaches?: (id: RequestId) => boolean;
}

const CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  completions: {},
  logging: {},
};

const INSTRUCTIONS =
  'Tollgate: the MCP tools, prompts and resources your virtual key may use, governed and recorded by the gateway. ' +
  'Tools and prompts are named server__name; resource URIs are prefixed with their server (server+uri).';

/** AuthInfo carries each HTTP request's fresh Access into the handlers (key changes apply at once). */
export function authInfoFor(access: Access): AuthInfo {
  return { token: '', clientId: access.keyId ?? '', scopes: [], extra: { access } };
}

/** The Access of the request being handled, else the session's latest. */
export function accessOf(session: SessionContext, ctx: ServerContext): Access {
  const fromRequest = ctx.http?.authInfo?.extra?.access as Access | undefined;
  return fromRequest ?? session.access;
}

export interface SessionServer {
  server: Server;
  /** Stops listening for changes and drops the session's resource subscriptions (call when it ends). */
  dispose(): void;
}

export function createSessionServer(deps: EndpointDeps, session: SessionContext): SessionServer {
  const server = new SessionMcpServer(deps.serverInfo, {
    capabilities: CAPABILITIES,
    instructions: INSTRUCTIONS,
    // Continuation state of calls waiting for their client's input (pending-calls.ts) is signed,
    // bound to the key, and checked before any handler sees it.
    requestState: { verify: deps.stateCodec.verify },
  });
  const disposers = [registerToolHandlers(server, deps, session), registerOfferHandlers(server, deps, session)];
  return {
    server,
    dispose: () => {
      for (const d of disposers) d();
    },
  };
}

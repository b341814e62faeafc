// One MCP server per /mcp session (the SDK's low-level Server: the tool set is dynamic and per key,
// which McpServer's static registrations do not fit). tools/list is the key's tool list, the same
// decision the chat loop uses; tools/call is the one governed tool call; list changes of that set
// are pushed as notifications/tools/list_changed.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Access, ToolEntry, ToolRuntime } from '../../src/chat/ports.js';
import { executeToolCall, type ToolCallDeps } from '../../src/chat/tool-call.js';
import { sameTools, toCallToolResult, toMcpTools } from './tool-results.js';
import { toolNameSet } from '../../src/chat/tool-name-set.js';

/** What the /mcp endpoint needs of the MCP manager. */
export interface EndpointTools extends ToolRuntime {
  onToolsChanged(listener: (version: number) => void): () => void;
}

export interface SessionServerDeps {
  /** The key's tools (GovernanceGate.toolsFor, without a narrowing header). */
  toolsFor(access: Access): readonly ToolEntry[];
  mcp: EndpointTools;
  toolCalls: ToolCallDeps;
  serverInfo: { name: string; version: string };
  onError?: (err: Error) => void;
}

export interface SessionContext {
  /** Set once the transport has assigned it (Streamable HTTP assigns it during initialize). */
  id: string | null;
  /** The Access of the latest request on this session (for notifications, which have no request). */
  access: Access;
}

/** AuthInfo carries each HTTP request's fresh Access into the handlers (key changes apply at once). */
export function authInfoFor(access: Access): AuthInfo {
  return { token: '', clientId: access.keyId ?? 'anonymous', scopes: [], extra: { access } };
}

function accessOf(ctx: SessionContext, authInfo: AuthInfo | undefined): Access {
  const fromRequest = authInfo?.extra?.access as Access | undefined;
  return fromRequest ?? ctx.access;
}

export interface SessionServer {
  server: Server;
  /** Stops listening for tool changes (call when the session ends). */
  dispose(): void;
}

export function createSessionServer(deps: SessionServerDeps, ctx: SessionContext): SessionServer {
  const server = new Server(deps.serverInfo, {
    capabilities: { tools: { listChanged: true } },
    instructions: 'Tollgate: the MCP tools your virtual key may use, governed and recorded by the gateway.',
  });
  // What this session last saw, so a change elsewhere in the catalog (another key's tools) stays quiet.
  let announced = deps.toolsFor(ctx.access);

  server.setRequestHandler(ListToolsRequestSchema, (_req, extra) => {
    announced = deps.toolsFor(accessOf(ctx, extra.authInfo));
    return { tools: toMcpTools(announced) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const access = accessOf(ctx, extra.authInfo);
    const result = await executeToolCall(deps.toolCalls, {
      access,
      name: req.params.name,
      arguments: JSON.stringify(req.params.arguments ?? {}),
      callId: `mcp:${String(extra.requestId)}`,
      requestId: null,
      sessionId: ctx.id,
      round: null,
      signal: extra.signal,
      offered: (name) => toolNameSet(deps.toolsFor(access)).has(name),
    });
    return toCallToolResult(result.outcome);
  });

  const unsubscribe = deps.mcp.onToolsChanged(() => {
    const next = deps.toolsFor(ctx.access);
    if (sameTools(next, announced)) return;
    announced = next;
    // Before initialization completes there is nobody to tell; the client lists tools anyway.
    server.sendToolListChanged().catch((err: unknown) => deps.onError?.(err as Error));
  });

  return { server, dispose: unsubscribe };
}

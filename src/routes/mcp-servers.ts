// GET /api/mcp-servers: each MCP server's state, last error and tools (admin token).
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { McpManager } from '../../mcp/manager.js';
import { requireAdminToken } from './admin/auth.js';

export interface McpServerRoutesDeps {
  mcp: McpManager;
  adminToken: string | undefined;
}

export function mcpServerRoutes(app: Hono<AppEnv>, deps: McpServerRoutesDeps): void {
  app.get('/api/mcp-servers', requireAdminToken(deps.adminToken), (c) => {
    const tools = deps.mcp.tools();
    const servers = deps.mcp.status().map((s) => ({
      ...s,
      tools: tools
        .filter((t) => t.server === s.name)
        .map((t) => ({ name: t.name, tool: t.tool, description: t.definition.description ?? null })),
    }));
    return c.json({ object: 'list', data: servers });
  });
}

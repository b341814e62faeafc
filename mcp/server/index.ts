// The /mcp server side's public surface.
export { mountMcpEndpoint } from './routes.js';
export type { McpEndpoint, McpEndpointDeps } from './routes.js';
export type { EndpointTools } from './session-server.js';
export { toMcpTool, toMcpTools, toCallToolResult } from './tool-results.js';

// The /mcp server side's public surface.
export { createMcpEndpoint } from './routes.js';
export type { McpEndpoint, McpEndpointDeps, McpEndpointLimits } from './routes.js';
export type { EndpointFailure, EndpointTools, EndpointOffers, OfferGovernance } from './endpoint-deps.js';
export { isLoopbackAddress } from './origin-guard.js';

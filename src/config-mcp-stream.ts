// The defaults of the bound on what an /mcp event stream holds for a client that does not read
// (mcp/server/bounded-stream.ts; README, Guarantees: Isolation): what the config schema fills in
// for mcpEndpoint.streamHighWaterMark / streamMaxQueued, and what an endpoint made without them
// uses. In the base layer so both may import it (config-schema.ts may not import mcp/server).

/** A handful of 1 MB tool results: queued bytes past which the reader is waited for, and past which it is let go. */
export const MCP_STREAM_DEFAULTS = { highWaterMark: 1024 * 1024, maxQueued: 16 * 1024 * 1024 } as const;

// The Hono environment every route group shares: what middleware sets on the context. Its own
// module so routes (and /mcp) can type their handlers without importing the app that mounts them.
export type AppEnv = { Variables: { requestId: string } };

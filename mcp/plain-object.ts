// The one test of "a JSON object" the MCP code uses (not null, not an array), for values parsed
// from JSON-RPC lines, tool arguments and request params.
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// A /mcp endpoint on a bare Hono app (no listener, ledger or database), served through app.fetch:
// what the endpoint's unit tests (mcp/server/routes.test.ts) and the mcp-* isolation tests, which
// measure the endpoint's own cost, run against. Its one tool, fx__echo, records the arguments it
// got; its gate admits any x-bf-vk and counts what it is asked to count; its ledger keeps the rows.
import { Hono } from 'hono';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AppEnv } from '../../src/app-env.js';
import { noopMetrics, type Access, type ToolEntry, type ToolOutcome } from '../../src/chat/ports.js';
import { GatewayError, renderError, toGatewayError } from '../../src/errors.js';
import { toOpenAiTool } from '../../mcp/mapping.js';
import { createMcpEndpoint, type McpEndpoint, type McpEndpointDeps, type McpEndpointLimits } from '../../mcp/server/routes.js';
import type { EndpointOffers, EndpointTools } from '../../mcp/server/endpoint-deps.js';
import type { RequestRow, ToolCallRow } from '../../src/ledger/writer.js';

const allowed = { allowed: true } as const;
const access = (keyId: string): Access => ({
  keyId,
  teamId: null,
  customerId: null,
  policyKey: {},
  budgeted: false,
  loop: { maxRounds: 1, maxToolCalls: 1, maxCostUsd: 1, timeoutMs: 1_000 },
  checkModel: () => undefined,
  decideTool: () => allowed,
  needsApproval: () => false,
  checkToolRate: async () => allowed,
  startToolCall: () => allowed,
  endToolCall: () => undefined,
  reserve: async (amountUsd) => ({ amountUsd }),
  settle: () => undefined,
  release: () => undefined,
  startCall: async () => ({ tokens: 0 }),
  holdSlot: () => ({ tokens: 0 }),
  endCall: () => undefined,
  settleTokens: () => undefined,
});
const echoDef = { name: 'echo', inputSchema: { type: 'object' as const } };
const echo: ToolEntry = { name: 'fx__echo', server: 'fx', tool: 'echo', openai: toOpenAiTool('fx__echo', echoDef) };
/** No prompts or resources: the tests here are about sessions and tool calls. */
export const noOffers: EndpointOffers = {
  prompts: () => [],
  getPrompt: () => undefined,
  resources: () => [],
  resourceTemplates: () => [],
  resolveUri: () => undefined,
  onOfferChanged: () => () => undefined,
  onResourceUpdated: () => () => undefined,
  getPromptResult: async () => ({ status: 'unknown_tool', latencyMs: 0 }),
  readResource: async () => ({ status: 'unknown_tool', latencyMs: 0 }),
  complete: async () => undefined,
  subscribe: async () => false,
  unsubscribe: async () => undefined,
};

const LIMITS: McpEndpointLimits = {
  maxSessions: 10,
  maxSessionsPerKey: 10,
  idleTimeoutMs: 60_000,
  maxLifetimeMs: 3_600_000,
  inputTimeoutMs: 60_000,
  maxPendingPerKey: 4,
  listTtlMs: 0,
  maxSubscriptionsPerSession: 10,
};

export interface BareEndpoint {
  app: Hono<AppEnv>;
  endpoint: McpEndpoint;
  /** Every fx__echo call (its name and the arguments it got, as the JSON text the endpoint hands a tool), in order. */
  got: { name: string; args: string }[];
  /** The requests each key was counted for by the gate (admit's `calls`). */
  counted: Map<string, number>;
  /** The `requests` rows of the tool calls, in the order queued. */
  rows: RequestRow[];
  /** The `tool_calls` rows, in the order queued. */
  toolCalls: ToolCallRow[];
}

/**
 * `call`: what fx__echo does (default: answers "hi" at once). `limits`: overrides of the endpoint's
 * limits (e.g. a short inputTimeoutMs). `deps`: overrides of the endpoint's deps (e.g. its clock).
 */
export function bareEndpoint(
  call?: (args: Record<string, unknown>, signal?: AbortSignal) => Promise<ToolOutcome>,
  limits: Partial<McpEndpointLimits> = {},
  deps: Partial<McpEndpointDeps> = {},
): BareEndpoint {
  const got: { name: string; args: string }[] = [];
  const counted = new Map<string, number>();
  const mcp: EndpointTools = {
    version: 1,
    tools: () => [echo],
    getTool: (name) => (name === echo.name ? echo : undefined),
    async callTool(name, text, opts): Promise<ToolOutcome> {
      // The endpoint hands a tool its arguments as JSON text (EndpointTools.callTool): `got` keeps
      // that text; `call` gets it as it came, under the object type the isolation tests declare.
      got.push({ name, args: text });
      if (call) return call(text as unknown as Record<string, unknown>, opts?.signal);
      return { status: 'ok', content: 'hi', isError: false, latencyMs: 1, raw: { content: [{ type: 'text', text: 'hi' }] } };
    },
    onToolsChanged: () => () => undefined,
  };
  const rows: RequestRow[] = [];
  const toolCalls: ToolCallRow[] = [];
  const ledger = {
    request: (row: RequestRow) => void rows.push(row),
    llmCall: () => undefined,
    toolCall: (row: ToolCallRow) => void toolCalls.push(row),
    payload: () => undefined,
  };
  const app = new Hono<AppEnv>();
  const endpoint = createMcpEndpoint({
    gate: {
      async admit(headers, calls = 1) {
        const key = headers.get('x-bf-vk');
        if (!key) throw new GatewayError({ status: 401, type: 'virtual_key_required', message: 'no key' });
        counted.set(key, (counted.get(key) ?? 0) + calls);
        return access(key);
      },
      identify: () => undefined,
    },
    mcp,
    offers: noOffers,
    governance: { decideOffer: () => allowed, allowedOffers: (_a, _k, list) => list },
    toolsFor: () => [echo],
    toolCalls: {
      tools: mcp,
      pricing: { priceOf: () => undefined, limitsOf: () => ({}), unpricedCallUsd: undefined, costOf: () => null, toolCost: () => 0 },
      ledger,
      metrics: noopMetrics,
      now: () => performance.now(),
      payloads: false,
    },
    ledger,
    limits: { ...LIMITS, ...limits },
    origin: { allowedOrigins: [], allowedHosts: [], loopback: false },
    ...deps,
  });
  endpoint.mount(app);
  app.onError((err, c) => c.json(renderError(toGatewayError(err)), toGatewayError(err).status as 400));
  return { app, endpoint, got, counted, rows, toolCalls };
}

/** An SDK client on a Streamable HTTP session of key `key`, through app.fetch. */
export async function sdkSession(app: Hono<AppEnv>, key = 'k1') {
  const client = new Client({ name: 't', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL('http://gw.test/mcp'), {
    fetch: async (url: string | URL, init?: RequestInit) => app.fetch(new Request(url, init)),
    requestInit: { headers: { 'x-bf-vk': key } },
  });
  await client.connect(transport);
  return { client, transport };
}

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** A Streamable HTTP session of key `key` (2025-06-18 unless told): post() sends a body on it. */
export async function streamableSession(app: Hono<AppEnv>, key = 'k1', version = '2025-06-18') {
  const headers: Record<string, string> = { 'x-bf-vk': key, ...MCP_HEADERS };
  const post = async (body: string) => {
    const res = await app.fetch(new Request('http://gw.test/mcp', { method: 'POST', headers, body }));
    return { status: res.status, text: await res.text(), sid: res.headers.get('mcp-session-id') };
  };
  const init = { protocolVersion: version, capabilities: {}, clientInfo: { name: 'c', version: '1' } };
  const { sid } = await post(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: init }));
  headers['mcp-session-id'] = sid!;
  headers['mcp-protocol-version'] = version;
  await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  return { post, headers };
}

/** An HTTP+SSE (2024-11-05) session of key `key`: its event stream's reader, and post() to its endpoint. */
export async function sseSession(app: Hono<AppEnv>, key = 'k1') {
  const get = await app.fetch(new Request('http://gw.test/mcp/sse', { headers: { 'x-bf-vk': key, accept: 'text/event-stream' } }));
  const reader = get.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const endpoint = /data: (\S+)/.exec(first)![1]!;
  const post = async (body: string) => {
    const res = await app.fetch(
      new Request(`http://gw.test${endpoint}`, { method: 'POST', headers: { 'x-bf-vk': key, ...MCP_HEADERS }, body }),
    );
    return { status: res.status, text: await res.text() };
  };
  return { post, reader };
}

/** CPU time (user + system, ms) of the process while `f` runs. */
export async function cpuMs(f: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

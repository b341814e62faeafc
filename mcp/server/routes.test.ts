// The /mcp routes on a bare Hono app with fake governance and tools (no sockets): session bounds,
// idle expiry, shutdown, and what reaches the governed tool call.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AppEnv } from '../../src/app-env.js';
import { noopMetrics, type Access, type ToolEntry, type ToolOutcome } from '../../src/chat/ports.js';
import type { RequestRow, ToolCallRow } from '../../src/ledger/writer.js';
import { GatewayError, renderError, toGatewayError } from '../../src/errors.js';
import { toOpenAiTool } from '../mapping.js';
import { createMcpEndpoint, type McpEndpointDeps, type McpEndpointLimits } from './routes.js';
import type { EndpointOffers, EndpointTools } from './endpoint-deps.js';

const allowed = { allowed: true } as const;
function fakeAccess(keyId: string): Access {
  return {
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
    reserve: async (amountUsd) => ({ amountUsd }),
    settle: () => undefined,
    release: () => undefined,
    recordTokens: () => undefined,
  };
}

const echoDef = { name: 'echo', inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } } };
const echo: ToolEntry = { name: 'fx__echo', server: 'fx', tool: 'echo', openai: toOpenAiTool('fx__echo', echoDef) };

/** No prompts or resources: these tests are about sessions. */
const noOffers: EndpointOffers = {
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
  maxSessions: 100,
  maxSessionsPerKey: 100,
  idleTimeoutMs: 60_000,
  maxLifetimeMs: 3_600_000,
  inputTimeoutMs: 60_000,
  maxPendingPerKey: 4,
  listTtlMs: 0,
  maxSubscriptionsPerSession: 10,
};

function setup(opts: Partial<McpEndpointDeps> = {}, limits: Partial<McpEndpointLimits> = {}) {
  const calls: { name: string; args: unknown }[] = [];
  const rows: ToolCallRow[] = [];
  const requests: RequestRow[] = [];
  const mcp: EndpointTools = {
    version: 1,
    tools: () => [echo],
    getTool: (name) => (name === echo.name ? echo : undefined),
    async callTool(name, args): Promise<ToolOutcome> {
      calls.push({ name, args });
      return { status: 'ok', content: 'hi', isError: false, latencyMs: 1, raw: { content: [{ type: 'text', text: 'hi' }] } };
    },
    onToolsChanged: () => () => undefined,
  };
  const ledger = {
    request: (r: RequestRow) => void requests.push(r),
    llmCall: () => undefined,
    toolCall: (r: ToolCallRow) => void rows.push(r),
    payload: () => undefined,
  };
  const app = new Hono<AppEnv>();
  const endpoint = createMcpEndpoint({
    gate: {
      async admit(headers) {
        const key = headers.get('x-bf-vk');
        if (!key) throw new GatewayError({ status: 401, type: 'virtual_key_required', message: 'no key' });
        return fakeAccess(key);
      },
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
    ...opts,
  });
  endpoint.mount(app);
  app.onError((err, c) => c.json(renderError(toGatewayError(err)), toGatewayError(err).status as 400));
  const fetch = async (url: string | URL, init?: RequestInit) => app.fetch(new Request(url, init));
  const streamable = async (key = 'k1') => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL('http://gw.test/mcp'), {
      fetch,
      requestInit: { headers: { 'x-bf-vk': key } },
    });
    await client.connect(transport);
    return { client, transport };
  };
  return { app, endpoint, calls, rows, requests, streamable };
}

describe('createMcpEndpoint', () => {
  test('a call reaches the tool with its arguments and is recorded under the session id', async () => {
    const { endpoint, calls, rows, requests, streamable } = setup();
    const { client, transport } = await streamable();
    const result = await client.callTool({ name: 'fx__echo', arguments: { text: 'x' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }]);
    assert.deepEqual(calls, [{ name: 'fx__echo', args: '{"text":"x"}' }]);
    assert.deepEqual([rows[0]?.sessionId, rows[0]?.keyId], [transport.sessionId, 'k1']);
    // The call is a request of its own (surface mcp), and its tool_calls row points at it.
    assert.equal(requests.length, 1);
    assert.equal(rows[0]?.requestId, requests[0]?.id);
    await endpoint.close();
  });

  test('beyond maxSessions a new session gets 503; closing one makes room', async () => {
    const { endpoint, streamable } = setup({}, { maxSessions: 1 });
    const first = await streamable();
    await assert.rejects(streamable(), /503|too many open MCP sessions/);
    await first.transport.terminateSession();
    const second = await streamable();
    assert.equal((await second.client.listTools()).tools.length, 1);
    assert.equal(endpoint.sessions.size, 1);
    await endpoint.close();
  });

  test('an idle session is swept; its next request is a 404', async () => {
    let now = 0;
    const { endpoint, streamable } = setup({ now: () => now }, { idleTimeoutMs: 1_000 });
    const { client } = await streamable();
    now = 5_000;
    endpoint.sessions.sweep();
    assert.equal(endpoint.sessions.size, 0);
    await assert.rejects(client.listTools(), /404|Session not found/);
    await endpoint.close();
  });

  test('close() ends every session, SSE streams included', async () => {
    const { app, endpoint, streamable } = setup();
    await streamable();
    const res = await app.fetch(new Request('http://gw.test/mcp/sse', { headers: { 'x-bf-vk': 'k1' } }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^event: endpoint\ndata: \/mcp\/messages\?sessionId=[0-9a-f-]+\n\n$/);
    assert.equal(endpoint.sessions.size, 2);
    await endpoint.close();
    assert.equal(endpoint.sessions.size, 0);
    assert.equal((await reader.read()).done, true, 'the event stream ended');
  });
});

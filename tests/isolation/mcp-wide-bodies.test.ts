// Wide bodies on /mcp: one POST within maxBodyBytes (4 MiB) can hold a 400,000-key `params._meta`
// (an open object in the MCP schema: the SDK's request schemas copy every key, in each of the
// several zod parses a request goes through) or `params.arguments`, or a JSON-RPC batch of tens of
// thousands of messages. Measured as in wide-bodies.test.ts: CPU time of handling the POST (which
// includes reading and parsing its body once) against JSON.parse of the same body, best of a few
// runs of each, interleaved, so load on the machine cancels out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import type { AppEnv } from '../../src/app-env.js';
import { noopMetrics, type Access, type ToolEntry, type ToolOutcome } from '../../src/chat/ports.js';
import { GatewayError, renderError, toGatewayError } from '../../src/errors.js';
import { toOpenAiTool } from '../../mcp/mapping.js';
import { createMcpEndpoint } from '../../mcp/server/routes.js';
import type { EndpointOffers } from '../../mcp/server/endpoint-deps.js';

const BYTES = 3_900_000;

function wide(bytes: number): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0, size = 2; size < bytes; i++) {
    const key = `k${i.toString(36)}`;
    o[key] = '';
    size += key.length + 6;
  }
  return o;
}

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
  reserve: async (amountUsd) => ({ amountUsd }),
  settle: () => undefined,
  release: () => undefined,
  recordTokens: () => undefined,
});
const echoDef = { name: 'echo', inputSchema: { type: 'object' as const } };
const echo: ToolEntry = { name: 'fx__echo', server: 'fx', tool: 'echo', openai: toOpenAiTool('fx__echo', echoDef) };
const noOffers = {
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
} as unknown as EndpointOffers;

/** A /mcp endpoint on a bare app whose one tool records the arguments it got. */
function gateway() {
  const got: { args: Record<string, unknown> }[] = [];
  const mcp = {
    version: 1,
    tools: () => [echo],
    getTool: (name: string) => (name === echo.name ? echo : undefined),
    async callTool(_name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
      got.push({ args });
      return { status: 'ok', content: 'hi', isError: false, latencyMs: 1, raw: { content: [{ type: 'text', text: 'hi' }] } };
    },
    onToolsChanged: () => () => undefined,
  };
  const ledger = { request: () => undefined, llmCall: () => undefined, toolCall: () => undefined, payload: () => undefined };
  const app = new Hono<AppEnv>();
  createMcpEndpoint({
    gate: {
      async admit(headers: Pick<Headers, 'get'>) {
        const key = headers.get('x-bf-vk');
        if (!key) throw new GatewayError({ status: 401, type: 'virtual_key_required', message: 'no key' });
        return access(key);
      },
    },
    mcp,
    offers: noOffers,
    governance: { decideOffer: () => allowed, allowedOffers: <T>(_a: unknown, _k: unknown, list: T) => list },
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
    limits: {
      maxSessions: 10,
      maxSessionsPerKey: 10,
      idleTimeoutMs: 60_000,
      maxLifetimeMs: 3_600_000,
      inputTimeoutMs: 60_000,
      maxPendingPerKey: 4,
      listTtlMs: 0,
      maxSubscriptionsPerSession: 10,
    },
    origin: { allowedOrigins: [], allowedHosts: [], loopback: false },
  } as never).mount(app);
  app.onError((err, c) => c.json(renderError(toGatewayError(err)), toGatewayError(err).status as 400));
  const headers: Record<string, string> = {
    'x-bf-vk': 'k1',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const post = async (body: string) => {
    const res = await app.fetch(new Request('http://gw.test/mcp', { method: 'POST', headers, body }));
    return { status: res.status, text: await res.text(), sid: res.headers.get('mcp-session-id') };
  };
  return {
    got,
    post,
    async open() {
      const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } };
      const { sid } = await post(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: init }));
      headers['mcp-session-id'] = sid!;
      headers['mcp-protocol-version'] = '2025-06-18';
      await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    },
  };
}

async function cpuMs(f: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

let id = 1;
const callWith = (params: object) => JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params });

const cases: {
  name: string;
  body: () => string;
  bound: number;
  check(res: { status: number; text: string }, got: { args: Record<string, unknown> }[]): void;
}[] = [
  {
    name: 'tools/call with a 400,000-key _meta',
    body: () => callWith({ name: 'fx__echo', arguments: {}, _meta: { progressToken: 1, ...wide(BYTES) } }),
    bound: 3,
    check: (res) => assert.match(res.text, /"text":"hi"/),
  },
  {
    name: 'tools/list with a 400,000-key _meta',
    body: () => JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/list', params: { _meta: wide(BYTES) } }),
    bound: 3,
    check: (res) => assert.match(res.text, /fx__echo/),
  },
  {
    // Not cut: the tool gets every argument. 3.8× JSON.parse at load ~4: the SDK's dispatch copies
    // the record (1.3×), and the call path stringifies the arguments and parses them again (the
    // chat loop's form), besides reading the body. A guard against the SDK's extra parses coming
    // back (before the tools/call short way, 11×).
    name: 'tools/call with 400,000 arguments',
    body: () => callWith({ name: 'fx__echo', arguments: wide(BYTES) }),
    bound: 6,
    check: (res, got) => {
      assert.match(res.text, /"text":"hi"/);
      assert.ok(Object.keys(got.at(-1)!.args).length > 300_000, 'the tool gets every argument');
    },
  },
  {
    // Refused (the SDK transport takes at most 100 messages), as the SDK refuses it.
    name: 'a batch of 40,000 notifications',
    body: () => JSON.stringify(Array.from({ length: 40_000 }, () => ({ jsonrpc: '2.0', method: 'notifications/initialized' }))),
    bound: 3,
    check: (res) => {
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), {
        jsonrpc: '2.0',
        error: { code: -32600, message: 'Invalid Request: Batch must not exceed 100 messages' },
        id: null,
      });
    },
  },
];

describe('wide bodies on /mcp: handling a POST costs of the order of JSON.parse of its body', () => {
  for (const c of cases)
    test(c.name, async () => {
      const gw = gateway();
      await gw.open();
      let handle = Infinity;
      let parse = Infinity;
      for (let i = 0; i < 3; i++) {
        const text = c.body();
        assert.ok(text.length <= 4 * 1024 * 1024, 'within maxBodyBytes');
        parse = Math.min(parse, await cpuMs(async () => JSON.parse(text)));
        let res!: { status: number; text: string };
        handle = Math.min(handle, await cpuMs(async () => (res = await gw.post(text))));
        c.check(res, gw.got);
      }
      console.log(`${c.name}: handling ${handle.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (${(handle / parse).toFixed(1)}×)`);
      assert.ok(handle <= c.bound * parse, `handling ${handle.toFixed(1)} ms CPU, JSON.parse ${parse.toFixed(1)} ms (bound ${c.bound}×)`);
    });
});

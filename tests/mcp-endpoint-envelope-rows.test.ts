// A 2026-07-28 tools/call that the SDK's handler (createMcpHandler, mcp/server/modern.ts) refuses
// at its envelope — headers that disagree with the body (-32020), a protocol version it does not
// serve (-32022), a _meta envelope that is malformed or missing (-32602), a body that is not
// application/json (415) — never reaches the gateway's tools/call handler. Before, it got its
// JSON-RPC error and left no row; now it is a refused call like the others
// (mcp-endpoint-refused-calls.test.ts): a requests row (surface mcp, the key, the status the client
// got, the refusal's code) and its tool_calls row (denied, that code as the reason).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from './helpers/stack.js';
import { AGENT_KEY, endpointConfig } from '../mcp/server/testing.js';

let stack: Stack & { fixture: NonNullable<Stack['fixture']> };

before(async () => {
  stack = await startStack({ mcp: true, config: ({ fixture }) => endpointConfig(fixture!.url) });
});
after(() => stack.stop());

const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Case {
  what: string;
  name: string;
  headers?: Record<string, string | null>;
  meta?: Record<string, unknown> | null;
  status: number;
  rpc: number;
  code: string;
}

const CASES: Case[] = [
  {
    what: 'Mcp-Method names another method',
    name: 'fx__echo',
    headers: { 'mcp-method': 'tools/list' },
    status: 400,
    rpc: -32020,
    code: 'mcp_header_mismatch',
  },
  {
    what: 'Mcp-Name names another tool',
    name: 'fx__echo',
    headers: { 'mcp-name': 'fx__add' },
    status: 400,
    rpc: -32020,
    code: 'mcp_header_mismatch',
  },
  { what: 'no Mcp-Name header', name: 'fx__add', headers: { 'mcp-name': null }, status: 400, rpc: -32020, code: 'mcp_header_mismatch' },
  {
    what: 'a version the gateway does not serve',
    name: 'fx__echo',
    headers: { 'mcp-protocol-version': '2099-01-01' },
    meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
    status: 400,
    rpc: -32022,
    code: 'mcp_unsupported_protocol_version',
  },
  {
    what: 'a malformed envelope',
    name: 'fx__echo',
    meta: { ...META, 'io.modelcontextprotocol/clientInfo': 'not an object' },
    status: 400,
    rpc: -32602,
    code: 'mcp_invalid_envelope',
  },
  { what: 'a 2026-07-28 header and no envelope', name: 'fx__add', meta: null, status: 400, rpc: -32602, code: 'mcp_invalid_envelope' },
  {
    what: 'a body not sent as application/json',
    name: 'fx__echo',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    rpc: -32000,
    code: 'mcp_unsupported_media_type',
  },
];

/** One raw 2026-07-28 tools/call (header `null` = left out; meta `null` = no envelope). */
async function call(c: Case, id: number) {
  const headers: Record<string, string> = {};
  const all: Record<string, string | null> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'x-bf-vk': AGENT_KEY,
    'mcp-protocol-version': MODERN,
    'mcp-method': 'tools/call',
    'mcp-name': c.name,
    ...c.headers,
  };
  for (const [k, v] of Object.entries(all)) if (v !== null) headers[k] = v;
  const params = { name: c.name, arguments: { text: 'x', a: 1, b: 2 }, ...(c.meta === null ? {} : { _meta: c.meta ?? META }) };
  const res = await fetch(`${stack.gw.url}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }),
  });
  return { status: res.status, body: (await res.json()) as { id?: unknown; error?: { code: number; message: string } } };
}

/** The agent key's rows so far. */
async function rowCount() {
  const [r] = await stack.gw.query<{ n: number }>("SELECT count(*) AS n FROM requests WHERE key_id = 'agent'");
  const [t] = await stack.gw.query<{ n: number }>("SELECT count(*) AS n FROM tool_calls WHERE key_id = 'agent'");
  return { requests: Number(r!.n), tool_calls: Number(t!.n) };
}

describe('2026-07-28 tools/call refused by the SDK at its envelope', () => {
  for (const [i, c] of CASES.entries())
    test(`${c.what}: ${c.status} ${c.rpc}, a requests row and a refused tool_calls row`, async () => {
      const ran = stack.fixture.calls.length;
      const before = await rowCount();
      const id = 9000 + i;
      const answer = await call(c, id);
      assert.equal(answer.status, c.status);
      assert.equal(answer.body.error?.code, c.rpc, JSON.stringify(answer.body));
      assert.equal(stack.fixture.calls.length, ran, 'the tool never ran');
      const rows = await stack.gw.query<Record<string, unknown>>(
        `SELECT r.status, r.surface, r.session_id, r.error_type, r.error_message, r.tool_calls, r.cost_usd,
                t.name, t.status AS tool_status, t.decision, t.reason, t.error AS tool_error
           FROM requests r JOIN tool_calls t ON t.request_id = r.id
          WHERE r.key_id = 'agent' AND r.error_type = ? AND t.name = ? ORDER BY r.ts DESC, r.id DESC LIMIT 1`,
        c.code,
        c.name,
      );
      assert.equal(rows.length, 1, 'a requests row joined to its tool_calls row');
      assert.deepEqual(await rowCount(), { requests: before.requests + 1, tool_calls: before.tool_calls + 1 }, 'one of each, once');
      const { error_message: message, tool_error: toolError, ...row } = rows[0]!;
      assert.deepEqual(row, {
        status: c.status,
        surface: 'mcp',
        session_id: null,
        error_type: c.code,
        tool_calls: 1,
        cost_usd: 0,
        name: c.name,
        tool_status: 'denied',
        decision: 'denied',
        reason: c.code,
      });
      assert.equal(message, answer.body.error?.message, "the SDK's words");
      assert.equal(toolError, message);
    });
});

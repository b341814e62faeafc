// The official MCP inspector CLI (a devDependency, run with this node, no network beyond loopback)
// against the gateway's /mcp: what a user pointing the inspector at Tollgate sees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { AGENT_KEY, endpointConfig } from '../mcp/server/testing.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const pkgPath = require.resolve('@modelcontextprotocol/inspector-cli/package.json');
const pkg = require(pkgPath) as { bin: Record<string, string> };
const inspectorBin = join(dirname(pkgPath), pkg.bin['mcp-inspector-cli']!);

let fixture: McpHttpServer;
let gw: TestGateway;

before(async () => {
  fixture = await startMcpHttpServer();
  gw = await startGateway({ config: endpointConfig(fixture.url) });
});
after(async () => {
  await gw.close();
  await fixture.close();
});

async function inspector(...args: string[]): Promise<unknown> {
  // cwd: inspector-cli 1.0.3 checks `existsSync('../package.json')` against the working directory
  // but imports it relative to its own module; from its build/ folder both resolve to its package.json.
  const { stdout } = await run(process.execPath, [inspectorBin, '--cli', ...args], {
    cwd: dirname(inspectorBin),
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return JSON.parse(stdout) as unknown;
}

test('the inspector CLI lists the key’s tools over Streamable HTTP', async () => {
  const out = (await inspector(`${gw.url}/mcp`, '--transport', 'http', '--method', 'tools/list', '--header', `x-bf-vk: ${AGENT_KEY}`)) as {
    tools: { name: string }[];
  };
  assert.deepEqual(out.tools.map((t) => t.name).sort(), ['fx__add', 'fx__echo', 'fx__fail', 'fx__image']);
});

test('the inspector CLI calls a tool over HTTP+SSE', async () => {
  const out = (await inspector(
    `${gw.url}/mcp/sse`,
    '--transport',
    'sse',
    '--method',
    'tools/call',
    '--tool-name',
    'fx__add',
    '--tool-arg',
    'a=2',
    'b=40',
    '--header',
    `Authorization: Bearer ${AGENT_KEY}`,
  )) as {
    content: { type: string; text: string }[];
  };
  assert.deepEqual(out.content, [{ type: 'text', text: '42' }]);
});

test('the inspector CLI fails without a key', async () => {
  await assert.rejects(inspector(`${gw.url}/mcp`, '--transport', 'http', '--method', 'tools/list'), (err: Error & { stderr?: string }) =>
    /401|virtual_key_required|Unauthorized/i.test(`${err.message}${err.stderr ?? ''}`),
  );
});

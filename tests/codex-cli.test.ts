// Opt-in end to end: the Codex CLI (`codex exec`, wire_api = "responses") through Tollgate against
// the loopback mock upstream (issue 18, "Done when"). Install it outside the repo to run this
// (skipped with a message otherwise):
//   npm i --prefix /tmp/codex @openai/codex
// or point CODEX_BIN at a `codex` binary. The scripted model first calls Codex's own shell tool
// (Codex runs it and sends the output back), then a gateway MCP tool (the gateway runs it inside
// the same response), then answers; Codex prints the answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { toolResultsOf } from './helpers/wire.js';

const BIN = process.env.CODEX_BIN ?? '/tmp/codex/node_modules/.bin/codex';
const skip = existsSync(BIN) ? false : 'the Codex CLI is not installed (npm i --prefix /tmp/codex @openai/codex, or set CODEX_BIN)';
const KEY = 'vk-codex-cli-test-01';
const KEY_BARE = 'vk-codex-cli-bare-01';

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let home: string;

function codex(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      // A throwaway CODEX_HOME: the CLI's config, sessions and the key never touch the user's.
      env: { ...process.env, CODEX_HOME: home, HOME: home, TOLLGATE_VK: KEY, TOLLGATE_VK_BARE: KEY_BARE },
      cwd: home,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('Codex CLI through /v1/responses', { skip }, () => {
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'tollgate-codex-home-'));
    mock = await startMockUpstream();
    fixture = await startMcpHttpServer();
    gw = await startGateway({
      config: {
        providers: {
          ...mockProviders(mock),
          native: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-native' }], apis: ['chat', 'responses'] },
        },
        mcpServers: { fix: { transport: 'http', url: fixture.url } },
        virtualKeys: [
          { id: 'codex', key: KEY, models: ['*'], tools: { allow: ['fix__*'] } },
          { id: 'codex-bare', key: KEY_BARE, models: ['*'] },
        ],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await fixture?.close();
    await mock?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Tool results in a request body, whichever format reached the mock (chat, Messages or Responses items). */
  const resultsOf = (body: any) => [
    ...toolResultsOf(body),
    ...(Array.isArray(body.input) ? body.input : [])
      .filter((i: any) => i.type === 'function_call_output')
      .map((i: any) => ({ id: i.call_id, content: typeof i.output === 'string' ? i.output : JSON.stringify(i.output) })),
  ];

  const cases = [
    { upstream: 'chat completions', model: 'openai/gpt-4o-mini', key: KEY, mcp: true, native: false },
    { upstream: 'Anthropic Messages', model: 'anthropic/claude-sonnet-4-5', key: KEY, mcp: true, native: false },
    // A key without MCP tools: Codex's bytes pass through to the Responses upstream as they are.
    { upstream: 'native Responses', model: 'native/gpt-5-codex', key: KEY_BARE, mcp: false, native: true },
    // A key with a gateway MCP tool: still native, the gateway's tool added to Codex's own.
    { upstream: 'native Responses with a gateway MCP tool', model: 'native/gpt-5-codex', key: KEY, mcp: true, native: true },
    // Codex's WebSocket mode (supports_websockets): the same turn over one connection to /v1/responses.
    { upstream: 'chat completions, over WebSocket', model: 'openai/gpt-4o-mini', key: KEY, mcp: true, native: false, ws: true },
    {
      upstream: 'native Responses with a gateway MCP tool, over WebSocket',
      model: 'native/gpt-5-codex',
      key: KEY,
      mcp: true,
      native: true,
      ws: true,
    },
  ];
  for (const c of cases)
    test(`codex exec on ${c.upstream}: its shell tool runs in Codex${c.mcp ? ', the MCP tool in the gateway' : ''}, the answer comes back`, async () => {
      mock.reset();
      fixture.calls.length = 0;
      let upgrades = 0;
      let posts = 0;
      const countUpgrade = () => void upgrades++;
      const countPost = (req: { method?: string }) => void (req.method === 'POST' && posts++);
      gw.server.on('upgrade', countUpgrade);
      gw.server.on('request', countPost);
      let step = 0;
      mock.fallback = (body) => {
        const shell = (body.tools ?? []).map((t: any) => t.function?.name ?? t.name).find((n: string) => /exec_command|shell/.test(n));
        step++;
        if (step === 1 && shell)
          return {
            kind: 'tool_calls',
            calls: [
              {
                id: 'call_shell',
                name: shell,
                arguments: shell === 'shell' ? { command: ['echo', 'from-codex'] } : { cmd: 'echo from-codex' },
              },
            ],
          };
        if (c.mcp && !resultsOf(body).some((r) => r.id === 'call_add'))
          return { kind: 'tool_calls', calls: [{ id: 'call_add', name: 'fix__add', arguments: { a: 20, b: 22 } }] };
        const results = resultsOf(body).map((r) => r.content);
        return {
          kind: 'text',
          text: `ANSWER sum=${c.mcp ? results.at(-1) : 'none'} shell=${results.some((r) => r.includes('from-codex'))}`,
        };
      };
      const { code, out } = await codex([
        'exec',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        '-m',
        c.model,
        '-c',
        'model_provider="tollgate"',
        '-c',
        'model_providers.tollgate.name="Tollgate"',
        '-c',
        `model_providers.tollgate.base_url="${gw.baseURL}"`,
        '-c',
        `model_providers.tollgate.env_key="${c.key === KEY ? 'TOLLGATE_VK' : 'TOLLGATE_VK_BARE'}"`,
        '-c',
        'model_providers.tollgate.wire_api="responses"',
        ...(c.ws ? ['-c', 'model_providers.tollgate.supports_websockets=true'] : []),
        'run echo from-codex, then add 20 and 22',
      ]);
      gw.server.off('upgrade', countUpgrade);
      gw.server.off('request', countPost);
      assert.equal(code, 0, `${out}\n${JSON.stringify(mock.requests.map((r) => r.body)).slice(0, 3000)}`);
      assert.match(out, c.mcp ? /ANSWER sum=42 shell=true/ : /ANSWER sum=none shell=true/, out);
      assert.deepEqual(fixture.calls, c.mcp ? ['add'] : []);
      if (c.ws) {
        assert.ok(upgrades >= 1, 'Codex spoke WebSocket to the gateway');
        assert.equal(posts, 0, 'and never fell back to HTTP');
      }
      if (c.native) {
        assert.ok(
          mock.requests.every((r) => r.path === '/v1/responses'),
          'passed through to the Responses upstream',
        );
        // Codex's own tools reach the upstream as it declared them, beside the gateway's function tool.
        const offered = mock.requests[0]!.body.tools.map((t: any) => `${t.type}:${t.name}`);
        assert.ok(
          offered.some((t: string) => /^function:(shell|exec_command)$/.test(t)),
          offered.join(','),
        );
        assert.equal(offered.includes('function:fix__add'), c.mcp, offered.join(','));
      }
      const rows = await gw.query<{ surface: string }>(
        'SELECT surface FROM requests WHERE key_id = ? AND status = 200',
        c.key === KEY ? 'codex' : 'codex-bare',
      );
      assert.ok(rows.length >= 2 && rows.every((r) => r.surface === 'responses'));
    });
});

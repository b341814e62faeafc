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

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let home: string;

function codex(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      // A throwaway CODEX_HOME: the CLI's config, sessions and the key never touch the user's.
      env: { ...process.env, CODEX_HOME: home, HOME: home, TOLLGATE_VK: KEY },
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
        providers: mockProviders(mock),
        mcpServers: { fix: { transport: 'http', url: fixture.url } },
        virtualKeys: [{ id: 'codex', key: KEY, models: ['*'], tools: { allow: ['fix__*'] } }],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await fixture?.close();
    await mock?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('codex exec: its shell tool runs in Codex, the MCP tool in the gateway, the answer comes back', async () => {
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
      if (!toolResultsOf(body).some((r) => r.id === 'call_add'))
        return { kind: 'tool_calls', calls: [{ id: 'call_add', name: 'fix__add', arguments: { a: 20, b: 22 } }] };
      const results = toolResultsOf(body).map((r) => r.content);
      return { kind: 'text', text: `ANSWER sum=${results.at(-1)} shell=${results.some((r) => r.includes('from-codex'))}` };
    };
    const { code, out } = await codex([
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '-m',
      'openai/gpt-4o-mini',
      '-c',
      'model_provider="tollgate"',
      '-c',
      'model_providers.tollgate.name="Tollgate"',
      '-c',
      `model_providers.tollgate.base_url="${gw.baseURL}"`,
      '-c',
      'model_providers.tollgate.env_key="TOLLGATE_VK"',
      '-c',
      'model_providers.tollgate.wire_api="responses"',
      'run echo from-codex, then add 20 and 22',
    ]);
    assert.equal(code, 0, `${out}\n${JSON.stringify(mock.requests.map((r) => r.body)).slice(0, 3000)}`);
    assert.match(out, /ANSWER sum=42 shell=true/, out);
    assert.deepEqual(fixture.calls, ['add']);
    const rows = await gw.query<{ surface: string }>("SELECT surface FROM requests WHERE key_id = 'codex' AND status = 200");
    assert.ok(rows.length >= 2 && rows.every((r) => r.surface === 'responses'));
  });
});

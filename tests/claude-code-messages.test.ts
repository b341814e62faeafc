// Opt-in end to end (issue 17, "Done when"): the Claude Code CLI talks to the gateway's /v1/messages
// with a virtual key, on both kinds of upstream (an Anthropic provider, passed through, and an
// OpenAI-compatible one, translated), in one session using its own Bash tool and a gateway MCP tool;
// every request lands in the ledger with the session id. The upstream is the loopback mock, scripted
// by what each request carries. Install the CLI outside the repo to run this (skipped otherwise):
//   npm i --prefix /tmp/cc @anthropic-ai/claude-code
// or point CLAUDE_CODE_BIN at a `claude` binary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import type { MockReply } from './mock-upstream/types.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { toolResultsOf } from './helpers/wire.js';

const BIN =
  process.env.CLAUDE_CODE_BIN ??
  ['/tmp/cc/node_modules/.bin/claude', '/tmp/claude-code-mcp/node_modules/.bin/claude'].find((p) => existsSync(p)) ??
  '/tmp/cc/node_modules/.bin/claude';
const skip = existsSync(BIN)
  ? false
  : 'the Claude Code CLI is not installed (npm i --prefix /tmp/cc @anthropic-ai/claude-code, or set CLAUDE_CODE_BIN)';
const KEY = 'vk-claude-code-messages-01';
const MARKER = 'TOLLGATE-E2E';

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let home: string;

function claude(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: home,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const lastUserText = (body: any): string => {
  // Claude Code may follow the user's turn with a system turn; the prompt is in the last user turn.
  const last = (body.messages ?? []).findLast((m: any) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return (last.content as any[]).map((b) => (b.type === 'text' ? b.text : '')).join('');
};
const names = (body: any): string[] => (body.tools ?? []).map((t: any) => t.name ?? t.function?.name);

/**
 * The scripted model: asked with the marker, it runs Bash; given Bash's result, it calls the gateway's
 * fix__add; given that result (which only the gateway sees), it answers. Anything else Claude Code
 * asks on the side (titles, topic checks) gets a short text.
 */
function script(body: any): MockReply {
  const results = toolResultsOf(body);
  const last = results.at(-1);
  if (last?.id === 'toolu_add') return { kind: 'text', text: `All done: the sum is ${last.content}.` };
  if (last?.id === 'toolu_bash') return { kind: 'tool_calls', calls: [{ id: 'toolu_add', name: 'fix__add', arguments: { a: 20, b: 22 } }] };
  if (lastUserText(body).includes(MARKER) && names(body).includes('Bash'))
    return {
      kind: 'tool_calls',
      calls: [{ id: 'toolu_bash', name: 'Bash', arguments: { command: 'echo bash-ran-here', description: 'echo' } }],
    };
  return { kind: 'text', text: 'ok' };
}

describe('Claude Code through /v1/messages', { skip }, () => {
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'tollgate-claude-messages-'));
    mock = await startMockUpstream();
    mock.fallback = script;
    fixture = await startMcpHttpServer();
    gw = await startGateway({
      config: {
        providers: mockProviders(mock),
        mcpServers: { fix: { transport: 'http', url: fixture.url, pin: 'off' } },
        virtualKeys: [{ id: 'claude-code', key: KEY, models: ['*'], tools: { allow: ['fix__add'] } }],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await fixture?.close();
    await mock?.close();
    rmSync(home, { recursive: true, force: true });
  });

  for (const model of ['anthropic/claude-sonnet-4-5', 'openai/gpt-4o-mini']) {
    test(`claude -p with ${model}: its Bash tool, then the gateway's MCP tool, one session in the ledger`, async () => {
      mock.requests.length = 0;
      mock.fallback = script;
      const run = await claude(
        ['-p', `${MARKER}: run echo, then add 20 and 22`, '--output-format', 'json', '--allowedTools', 'Bash', '--model', model],
        {
          ANTHROPIC_BASE_URL: gw.url,
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_SMALL_FAST_MODEL: model,
          ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
        },
      );
      assert.equal(run.code, 0, `${run.out}\n${run.err}`);
      const result = JSON.parse(run.out) as { result: string; is_error: boolean; session_id: string };
      assert.equal(result.is_error, false, run.out);
      assert.match(result.result, /All done: the sum is 42\./);
      // Bash really ran on the client's side: its output came back as the tool result.
      const bash = mock.requests.flatMap((r) => toolResultsOf(r.body)).find((t) => t.id === 'toolu_bash');
      assert.match(bash?.content ?? '', /bash-ran-here/);
      const rows = await gw.query<any>(
        "SELECT surface, session_id, status, rounds, tool_calls FROM requests WHERE key_id = 'claude-code' AND model = ?",
        model,
      );
      assert.ok(rows.length >= 2, JSON.stringify(rows));
      assert.ok(
        rows.every((r) => r.surface === 'messages' && r.status === 200),
        JSON.stringify(rows),
      );
      assert.ok(
        rows.every((r) => r.session_id === result.session_id),
        `every request carries the session id ${result.session_id}: ${JSON.stringify(rows)}`,
      );
      assert.ok(
        rows.some((r) => r.rounds === 2 && r.tool_calls === 1),
        'one request ran the gateway tool in a hidden round',
      );
      const [tool] = await gw.query<any>("SELECT name, status FROM tool_calls WHERE name = 'fix__add' ORDER BY ts DESC LIMIT 1");
      assert.deepEqual(tool, { name: 'fix__add', status: 'ok' });
    });
  }
});

// Opt-in end to end: the Claude Code CLI uses /mcp with a virtual key (issue 19, "Done when").
// Install it outside the repo to run this (skipped with a message otherwise):
//   npm i --prefix /tmp/claude-code-mcp @anthropic-ai/claude-code
// or point CLAUDE_CODE_BIN at a `claude` binary. `claude mcp add` registers the gateway as an HTTP
// MCP server with the key in a header; `claude mcp list` connects to it (initialize, tools/list)
// and reports its health. A wrong key must fail the same check.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';

const BIN = process.env.CLAUDE_CODE_BIN ?? '/tmp/claude-code-mcp/node_modules/.bin/claude';
const skip = existsSync(BIN)
  ? false
  : `the Claude Code CLI is not installed (npm i --prefix /tmp/claude-code-mcp @anthropic-ai/claude-code, or set CLAUDE_CODE_BIN)`;
const KEY = 'vk-claude-code-0001';

let fixture: McpHttpServer;
let gw: TestGateway;
let home: string;

/** Runs the CLI asynchronously: the gateway answering it lives in this very process. */
function claude(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      // A throwaway home: the CLI's config (and the key in it) never touches the user's.
      env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude'), DISABLE_AUTOUPDATER: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('Claude Code through /mcp', { skip }, () => {
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'tollgate-claude-home-'));
    fixture = await startMcpHttpServer({ full: true });
    gw = await startGateway({
      config: {
        mcpServers: { fx: { transport: 'http', url: fixture.url, pin: 'off' } },
        virtualKeys: [{ id: 'claude-code', key: KEY, tools: { allow: ['fx__*'] } }],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await fixture?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('claude mcp add + list: the gateway connects with a virtual key, and not without a valid one', async () => {
    const url = `${gw.url}/mcp`;
    const good = await claude(['mcp', 'add', '--transport', 'http', '--scope', 'user', 'tollgate', url, '--header', `x-bf-vk: ${KEY}`]);
    assert.equal(good.code, 0, good.out);
    const bad = await claude([
      'mcp',
      'add',
      '--transport',
      'http',
      '--scope',
      'user',
      'wrongkey',
      url,
      '--header',
      'x-bf-vk: vk-not-a-key-00',
    ]);
    assert.equal(bad.code, 0, bad.out);
    const list = await claude(['mcp', 'list']);
    assert.match(list.out, /tollgate: .*\/mcp \(HTTP\) - ✔ Connected/, list.out);
    assert.match(list.out, /wrongkey: .*\/mcp \(HTTP\) - ✘/, list.out);
  });
});

// Stdio isolation (issue 15, item 5), for real: a stdio MCP server configured with `user` runs as
// that Unix user (here `nobody`) in a neutral working directory, and cannot read the gateway's
// environment (/proc/<gateway pid>/environ) or its SQLite database. The same server without `user`
// can — which is what the probe proves it would see. Needs root (CI runs as root); skipped, saying
// why, otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const skip = process.getuid?.() === 0 ? false : 'changing the user of a stdio server needs root';
if (skip) console.log(`# skipping the stdio user isolation test: ${skip}`);
const SERVER = fileURLToPath(new URL('../fixtures/whoami-server.mjs', import.meta.url));
let dir: string;
let dbPath: string;
let gw: TestGateway;

before(async () => {
  if (skip) return;
  // A folder anyone may traverse, so only the file's own mode protects the database.
  dir = mkdtempSync(join(tmpdir(), 'tollgate-isolation-'));
  chmodSync(dir, 0o755);
  dbPath = join(dir, 'ledger', 'tollgate.db');
  const server = { transport: 'stdio', command: process.execPath, args: [SERVER] };
  gw = await startGateway({
    dbUrl: dbPath,
    config: {
      mcpServers: { jailed: { ...server, user: 'nobody' }, open: server },
      virtualKeys: [{ id: 'iso', key: 'vk-isolation-test-01', tools: { allow: ['*'] } }],
    },
  });
  await waitFor(() => gw.gateway.mcp.status().every((s) => s.state !== 'connecting'), 20_000, 'both servers to start');
});
after(async () => {
  if (skip) return;
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  uid: number;
  cwd: string;
  parentEnviron: { readable: boolean; code?: string };
  file: { readable: boolean; code?: string } | null;
}

async function whoami(server: string): Promise<Report> {
  const out = await gw.gateway.mcp.callTool(`${server}__whoami`, { path: dbPath });
  assert.equal(out.status, 'ok', out.content);
  return JSON.parse(out.content) as Report;
}

describe('stdio servers as another Unix user', { skip }, () => {
  test("the database file and folder are the gateway user's alone", () => {
    assert.equal(statSync(dbPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'ledger')).mode & 0o777, 0o700);
  });

  test('`user: nobody`: another uid, a neutral working directory, no access to the gateway environment or database', async () => {
    const jailed = await whoami('jailed');
    assert.equal(jailed.uid, 65534);
    assert.notEqual(jailed.cwd, process.cwd());
    assert.ok(jailed.cwd.startsWith(join(tmpdir(), 'tollgate-mcp-')), jailed.cwd);
    assert.deepEqual(jailed.parentEnviron, { readable: false, code: 'EACCES' });
    assert.deepEqual(jailed.file, { readable: false, code: 'EACCES' });
  });

  test('the same server without `user` runs as the gateway user and could read both (what `user` takes away)', async () => {
    const open = await whoami('open');
    assert.equal(open.uid, process.getuid!());
    assert.equal(open.cwd, process.cwd());
    assert.equal(open.parentEnviron.readable, true);
    assert.equal(open.file?.readable, true);
  });
});

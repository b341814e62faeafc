// McpManager against the reference server (@modelcontextprotocol/server-everything) over stdio.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { McpManager } from './manager.js';
import { everythingConfig, quietLogger } from './testing.js';
import { waitFor } from '../tests/helpers/wait-for.js';

describe('McpManager over stdio (server-everything)', () => {
  let manager: McpManager;

  before(async () => {
    // A gateway secret in the parent's environment must never reach the child.
    process.env.TOLLGATE_TEST_SECRET = 'do-not-leak-4242';
    manager = new McpManager({
      // callTimeoutMs caps a call's own timeoutMs: the killed call below asks for 20 s, and with the
      // default 5 s a slow kill under load would time the call out instead of failing it.
      servers: { everything: { ...everythingConfig({ TOLLGATE_CHILD_SETTING: 'configured-value' }), callTimeoutMs: 20_000 } },
      logger: quietLogger,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    await manager.start();
  });
  after(async () => {
    delete process.env.TOLLGATE_TEST_SECRET;
    await manager.stop();
  });

  test('discovers the reference tools', () => {
    const names = manager.tools().map((t) => t.name);
    for (const name of ['everything__echo', 'everything__get-sum', 'everything__get-env', 'everything__get-tiny-image']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    const [status] = manager.status();
    assert.equal(status?.state, 'connected');
    assert.equal(status?.transport, 'stdio');
    assert.equal(typeof status?.pid, 'number');
  });

  test('calls a tool', async () => {
    const out = await manager.callTool('everything__get-sum', '{"a":2,"b":40}');
    assert.equal(out.status, 'ok');
    assert.match(out.content, /42/);
  });

  test('validates arguments against the server schema', async () => {
    const out = await manager.callTool('everything__get-sum', '{"a":2}');
    assert.equal(out.status, 'invalid_arguments');
    assert.match(out.content, /b: is required/);
  });

  test('the child sees only its configured env plus safe basics, not gateway secrets', async () => {
    const out = await manager.callTool('everything__get-env', '');
    assert.equal(out.status, 'ok');
    const env = JSON.parse(out.content) as Record<string, string>;
    assert.equal(env.TOLLGATE_CHILD_SETTING, 'configured-value');
    assert.equal(env.TOLLGATE_TEST_SECRET, undefined);
    assert.ok(!out.content.includes('do-not-leak-4242'));
    if (process.env.PATH) assert.equal(env.PATH, process.env.PATH);
  });

  // Bounded by the test's timeout only: a restart spawns a node child that loads server-everything,
  // which took longer than a fixed 10 s wait on a loaded machine. The restart is awaited as the
  // tool-set change that brings the tools back, not polled against a clock.
  test('a killed child gives server_unavailable, then the server is restarted and its tools return', { timeout: 60_000 }, async () => {
    const pid = manager.status()[0]?.pid;
    assert.ok(pid);
    // The tool set empties when the child dies, then comes back with the restarted child. The
    // manager's reconnect timer is unref'd: the deadline (only reached when the restart is broken)
    // also keeps the event loop alive meanwhile.
    const back = new Promise<void>((resolve, reject) => {
      let gone = false;
      const deadline = setTimeout(() => reject(new Error('the tools did not come back within 50 s')), 50_000);
      const off = manager.onToolsChanged(() => {
        if (manager.tools().length === 0) gone = true;
        else if (gone && manager.getTool('everything__echo')) {
          off();
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    const pending = manager.callTool('everything__trigger-long-running-operation', { duration: 10, steps: 10 }, { timeoutMs: 20_000 });
    await waitFor(() => manager.status()[0]?.inflight === 1, 60_000, 'the call to be in flight');
    process.kill(pid, 'SIGKILL');
    const out = await pending;
    assert.equal(out.status, 'server_unavailable');
    assert.equal(manager.tools().length, 0);
    assert.match(manager.status()[0]?.lastError ?? '', /closed/);
    await back;
    const newPid = manager.status()[0]?.pid;
    assert.ok(newPid && newPid !== pid);
    assert.equal((await manager.callTool('everything__echo', { message: 'again' })).status, 'ok');
  });
});

describe('stdio failures', () => {
  test('a server that exits at startup fails with its stderr in the error; start() does not throw', async () => {
    const manager = new McpManager({
      servers: {
        broken: {
          transport: 'stdio',
          command: process.execPath,
          args: ['-e', 'console.error("missing API_TOKEN"); process.exit(3)'],
          env: {},
          callTimeoutMs: 1_000,
          pin: 'off',
        },
      },
      logger: quietLogger,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    try {
      await manager.start();
      const [status] = manager.status();
      assert.equal(status?.state, 'failed');
      assert.match(status?.error ?? '', /missing API_TOKEN/);
      assert.equal((await manager.callTool('broken__x', '{}')).status, 'unknown_tool');
    } finally {
      await manager.stop();
    }
  });

  test('a command that does not exist fails cleanly', async () => {
    const manager = new McpManager({
      servers: { nope: { transport: 'stdio', command: '/nonexistent/mcp-server', args: [], env: {}, callTimeoutMs: 1_000, pin: 'off' } },
      logger: quietLogger,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    try {
      await manager.start();
      assert.equal(manager.status()[0]?.state, 'failed');
      assert.match(manager.status()[0]?.error ?? '', /ENOENT|not found|failed to start/);
    } finally {
      await manager.stop();
    }
  });
});

// The health check a link runs when something failed (ServerLink.suspect) against a server that
// handles one request at a time, as stdio servers often do: the check waits behind the calls the
// server is running. Before, it timed out after min(requestTimeoutMs, 5 s) whatever the server was
// doing, and the link dropped the connection and restarted the server, failing every other caller's
// call in flight: one key's slow call, plus anything that triggers a check (here a list refresh that
// itself waited behind the call), cut off everyone. Now a check on a server with calls in flight
// waits up to callTimeoutMs, and one that times out while the server answered other requests is
// sent again: only a server that said nothing for a whole check is taken for gone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { McpServerConfig } from '../src/config-schema.js';
import { McpManager } from './manager.js';
import { waitFor } from '../tests/helpers/wait-for.js';

const REQUEST_TIMEOUT_MS = 1_000;
const CALL_TIMEOUT_MS = 6_000;
const serial = fileURLToPath(new URL('../tests/fixtures/serial-server.mjs', import.meta.url));

const LOST = 'MCP server connection lost; reconnecting';

async function startSerial(warnings: string[], ...flags: string[]): Promise<McpManager> {
  const config: McpServerConfig = {
    transport: 'stdio',
    command: process.execPath,
    args: [serial, ...flags],
    env: {},
    callTimeoutMs: CALL_TIMEOUT_MS,
    pin: 'off',
  };
  const manager = new McpManager({
    servers: { serial: config },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    backoff: { initialMs: 50, maxMs: 200 },
    logger: { info: () => undefined, warn: (_o, msg) => void warnings.push(String(msg)), error: () => undefined },
  });
  await manager.start();
  await waitFor(() => manager.status()[0]!.state === 'connected', 15_000, 'the server connected');
  return manager;
}

describe('health checks against a server that answers one request at a time', () => {
  let manager: McpManager;
  const warnings: string[] = [];

  before(async () => {
    manager = await startSerial(warnings);
  });
  after(() => manager.stop());

  const status = () => manager.status()[0]!;
  const slow = (args: { ms: number; changed?: boolean }, caller: string) => manager.callTool('serial__slow', args, { caller });

  test('a check that waits behind a call slower than its timeout: the server is busy, not gone', async () => {
    warnings.length = 0;
    const pid = status().pid;
    // Its list_changed has the link list tools again; the listing waits behind the call, times out
    // after requestTimeoutMs, and the link checks the server (which waits behind the call too).
    const hog = slow({ ms: 5 * REQUEST_TIMEOUT_MS, changed: true }, 'hog');
    await waitFor(() => status().inflight === 1, 5_000, 'the slow call sent');
    const other = slow({ ms: 0 }, 'other');
    const [hogs, others] = await Promise.all([hog, other]);
    assert.ok(warnings.includes('MCP list refresh failed'), `the refresh timed out and the server was checked: ${warnings.join('; ')}`);
    assert.equal(hogs.status, 'ok', hogs.errorMessage);
    assert.equal(others.status, 'ok', `another caller's call queued at the server: ${others.errorMessage}`);
    assert.ok(!warnings.includes(LOST), warnings.join('; '));
    assert.equal(status().pid, pid, 'the server was not restarted');
  });

  // The refresh that timed out behind the call is run again once the check shows the server alive.
  // Before, the tool the server added was missing until its next list_changed.
  test('a refresh that timed out behind a slow call is listed again once the server is shown alive', async () => {
    warnings.length = 0;
    const out = await manager.callTool('serial__slow', { ms: 3 * REQUEST_TIMEOUT_MS, changed: true, add: 'added' }, { caller: 'hog' });
    assert.equal(out.status, 'ok', out.errorMessage);
    assert.ok(warnings.includes('MCP list refresh failed'), warnings.join('; '));
    await waitFor(() => manager.getTool('serial__added') !== undefined, 10_000, 'the added tool listed');
    assert.ok(!warnings.includes(LOST), warnings.join('; '));
  });

  test('a check behind more work than callTimeoutMs: answers to other requests meanwhile keep the server up', async () => {
    warnings.length = 0;
    const pid = status().pid;
    // Eight calls of a second each: the check, sent after the refresh times out, is answered after
    // all eight, past its own timeout; the server answers the second to fifth call meanwhile.
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => slow({ ms: REQUEST_TIMEOUT_MS, changed: i === 0 }, 'hog')));
    assert.deepEqual(
      burst.slice(0, 3).map((o) => o.status),
      ['ok', 'ok', 'ok'],
    );
    assert.equal(burst.at(-1)!.status, 'timeout', 'the last calls waited at the server past callTimeoutMs');
    // The server is still working through the ones that timed out; another caller's call goes after them.
    const other = await slow({ ms: 0 }, 'other');
    assert.ok(warnings.includes('MCP list refresh failed'), warnings.join('; '));
    assert.equal(other.status, 'ok', other.errorMessage);
    assert.ok(!warnings.includes(LOST), warnings.join('; '));
    assert.equal(status().pid, pid, 'the server was not restarted');
  });

  test('a server that stops answering anything is still taken for gone, callTimeoutMs after the check', async () => {
    warnings.length = 0;
    const pid = status().pid;
    const hung = await manager.callTool('serial__hang', { changed: true }, { caller: 'hog' });
    assert.equal(hung.status, 'timeout');
    await waitFor(() => warnings.includes(LOST), 3 * CALL_TIMEOUT_MS, 'the loss noticed');
    await waitFor(() => status().state === 'connected' && status().pid !== pid, 15_000, 'a new server process');
    assert.equal((await slow({ ms: 0 }, 'other')).status, 'ok');
  });
});

describe('a health check answered with an error', () => {
  const warnings: string[] = [];

  test('a server without ping (-32601) is there: it answered', async () => {
    const manager = await startSerial(warnings, '--no-ping');
    try {
      const pid = manager.status()[0]!.pid;
      const out = await manager.callTool('serial__slow', { ms: 2 * REQUEST_TIMEOUT_MS, changed: true }, { caller: 'a' });
      assert.equal(out.status, 'ok', out.errorMessage);
      assert.ok(warnings.includes('MCP list refresh failed'), warnings.join('; '));
      // The check waited behind the call; a call sent now is answered after the check was.
      assert.equal((await manager.callTool('serial__slow', { ms: 0 }, { caller: 'a' })).status, 'ok');
      assert.ok(!warnings.includes(LOST), warnings.join('; '));
      assert.equal(manager.status()[0]!.pid, pid, 'the server was not restarted');
    } finally {
      await manager.stop();
    }
  });
});

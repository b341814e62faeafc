// McpManager against a 2026-07-28 server (the 2.x SDK's createMcpHandler, modern only): found by
// server/discover, listed and called statelessly, list changes followed on a subscriptions/listen
// stream, and a reconnect that reuses the era it found instead of probing again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startModernMcpServer, type ModernMcpServer } from '../tests/fixtures/mcp-modern-server.js';
import { McpManager } from './manager.js';
import type { ServerLink } from './server-link.js';
import { httpConfig, quietLogger } from './testing.js';
import { waitFor } from '../tests/helpers/wait-for.js';

describe('McpManager and a 2026-07-28 server', () => {
  let fixture: ModernMcpServer;
  let manager: McpManager;

  before(async () => {
    fixture = await startModernMcpServer();
    manager = new McpManager({ servers: { m: httpConfig(fixture.url) }, logger: quietLogger, backoff: { initialMs: 20, maxMs: 100 } });
    await manager.start();
  });
  after(async () => {
    await manager.stop();
    await fixture.close();
  });

  test('connects on 2026-07-28 and lists tools, prompts and resources', () => {
    const [status] = manager.status();
    assert.equal(status?.state, 'connected');
    assert.equal(status?.protocolVersion, '2026-07-28');
    assert.deepEqual([status?.tools, status?.prompts, status?.resources], [4, 1, 1]);
    assert.deepEqual(
      manager.offers.resources().map((r) => r.uri),
      ['m+modern://motd'],
    );
    assert.deepEqual(
      manager.offers.prompts().map((p) => p.name),
      ['m__brief'],
    );
  });

  test('calls a tool', async () => {
    const out = await manager.callTool('m__echo', { text: 'hi' });
    assert.equal(out.status, 'ok');
    assert.equal(out.content, 'hi');
  });

  test('a tool added upstream arrives through the listen stream', async () => {
    fixture.addTool('late');
    await waitFor(() => manager.getTool('m__late'), 5_000, 'the new tool');
  });

  test('a reconnect reuses the era it found: no second probe', async () => {
    const probes = fixture.discovers();
    assert.ok(probes >= 1);
    const link = (manager as unknown as { links: ServerLink[] }).links[0]!;
    link.lost((link as unknown as { generation: number }).generation, 'test: connection dropped');
    assert.notEqual(manager.status()[0]?.state, 'connected');
    await waitFor(() => manager.status()[0]?.state === 'connected' && manager.getTool('m__echo'), 5_000, 'the reconnect');
    assert.equal(manager.status()[0]?.protocolVersion, '2026-07-28');
    assert.equal(fixture.discovers(), probes, 'the era was remembered');
  });
});

// McpManager against the SDK-built fixture server over Streamable HTTP (and its SSE-only mode).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startMcpHttpServer, type McpHttpServer } from '../tests/fixtures/mcp-http-server.js';
import { McpManager } from './manager.js';
import { httpConfig, quietLogger } from './testing.js';
import { waitFor } from '../tests/helpers/wait-for.js';

const backoff = { initialMs: 50, maxMs: 200 };

describe('McpManager over Streamable HTTP', () => {
  let fixture: McpHttpServer;
  let manager: McpManager;

  before(async () => {
    fixture = await startMcpHttpServer();
    manager = new McpManager({ servers: { fx: httpConfig(fixture.url) }, logger: quietLogger, backoff });
    await manager.start();
  });
  after(async () => {
    await manager.stop();
    await fixture.close();
  });

  test('discovers the tools under gateway names with OpenAI shapes', () => {
    const names = manager
      .tools()
      .map((t) => t.name)
      .sort();
    assert.deepEqual(names, ['fx__add', 'fx__echo', 'fx__fail', 'fx__image', 'fx__slow']);
    const add = manager.getTool('fx__add');
    assert.equal(add?.server, 'fx');
    assert.equal(add?.tool, 'add');
    assert.equal(add?.openai.function.name, 'fx__add');
    assert.equal(add?.openai.function.description, 'Adds two numbers');
    assert.deepEqual((add!.openai.function.parameters as { required: string[] }).required, ['a', 'b']);
    assert.ok(manager.version > 0);
    assert.equal(manager.tools(), manager.tools(), 'the snapshot is not rebuilt per call');
    const [status] = manager.status();
    assert.equal(status?.state, 'connected');
    assert.equal(status?.transport, 'http');
    assert.equal(status?.tools, 5);
    assert.equal(typeof status?.connectedAt, 'number');
  });

  test('calls a tool', async () => {
    const out = await manager.callTool('fx__add', '{"a":2,"b":3}');
    assert.equal(out.status, 'ok');
    assert.equal(out.content, '5');
    assert.equal(out.isError, false);
    assert.deepEqual(out.raw?.content, [{ type: 'text', text: '5' }]);
    assert.ok(out.latencyMs >= 0);
  });

  test('a tool error result is status error with the "Error: " prefix', async () => {
    const out = await manager.callTool('fx__fail', '');
    assert.equal(out.status, 'error');
    assert.equal(out.isError, true);
    assert.equal(out.content, 'Error: this tool always fails');
  });

  test('images become a placeholder for the model, raw parts are kept', async () => {
    const out = await manager.callTool('fx__image', {});
    assert.equal(out.status, 'ok');
    assert.match(out.content, /^\[image image\/png, \d+ bytes\]$/);
    assert.equal(out.raw?.content[0]?.type, 'image');
  });

  test('bad arguments are refused before reaching the server', async () => {
    const before = fixture.calls.length;
    const wrong = await manager.callTool('fx__add', '{"a":"two","b":3}');
    assert.equal(wrong.status, 'invalid_arguments');
    assert.deepEqual(JSON.parse(wrong.content), {
      error: { reason: 'invalid_arguments', message: 'invalid arguments: a: must be number' },
    });
    const broken = await manager.callTool('fx__add', '{"a":');
    assert.equal(broken.status, 'invalid_arguments');
    assert.equal(fixture.calls.length, before);
  });

  // The call would take a minute; the test's own timeout fails it if the manager waited for it.
  test('a call that outlives its timeout is status timeout', { timeout: 30_000 }, async () => {
    const out = await manager.callTool('fx__slow', { ms: 60_000 }, { timeoutMs: 150 });
    assert.equal(out.status, 'timeout');
    assert.equal(JSON.parse(out.content).error.reason, 'tool_timeout');
  });

  test('the abort signal cancels a call', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const out = await manager.callTool('fx__slow', { ms: 3_000 }, { signal: controller.signal });
    assert.equal(out.status, 'cancelled');
  });

  test('an unknown tool is status unknown_tool', async () => {
    const out = await manager.callTool('fx__nope', '{}');
    assert.equal(out.status, 'unknown_tool');
    assert.equal(JSON.parse(out.content).error.reason, 'unknown_tool');
  });

  test('tools/list_changed refreshes the snapshot', async () => {
    const v0 = manager.version;
    const echoBefore = manager.getTool('fx__echo');
    const seen: number[] = [];
    const off = manager.onToolsChanged((v) => seen.push(v));
    fixture.setTool('add', {
      description: 'Adds two integers',
      inputSchema: { a: z.number().int(), b: z.number().int(), c: z.number().optional() },
      handler: (args) => ({ content: [{ type: 'text', text: `sum=${Number(args.a) + Number(args.b)}` }] }),
    });
    await waitFor(() => manager.getTool('fx__add')?.openai.function.description === 'Adds two integers', 3_000, 'changed description');
    assert.ok(manager.version > v0);
    assert.ok(seen.length > 0);
    assert.equal(manager.getTool('fx__echo'), echoBefore, 'unchanged tools keep their entry');
    // The new schema is the one used for validation.
    assert.equal((await manager.callTool('fx__add', { a: 1.5, b: 1 })).status, 'invalid_arguments');
    assert.equal((await manager.callTool('fx__add', { a: 1, b: 1 })).content, 'sum=2');

    fixture.setTool('shout', {
      description: 'Upper-cases text',
      inputSchema: { text: z.string() },
      handler: (a) => ({ content: [{ type: 'text', text: String(a.text).toUpperCase() }] }),
    });
    await waitFor(() => manager.getTool('fx__shout'), 3_000, 'new tool');
    assert.equal((await manager.callTool('fx__shout', { text: 'hi' })).content, 'HI');
    fixture.removeTool('shout');
    await waitFor(() => !manager.getTool('fx__shout'), 3_000, 'removed tool');
    off();
    const count = seen.length;
    fixture.setTool('shout', { description: 'again', inputSchema: {}, handler: () => ({ content: [] }) });
    await waitFor(() => manager.getTool('fx__shout'), 3_000, 're-added tool');
    assert.equal(seen.length, count, 'unsubscribed listener is not called');
  });

  test('a server killed mid-call gives server_unavailable; reconnecting restores its tools', async () => {
    const pending = manager.callTool('fx__slow', { ms: 10_000 }, { timeoutMs: 20_000 });
    await waitFor(() => fixture.calls.at(-1) === 'slow', 3_000, 'the slow call to start');
    await fixture.stop();
    const out = await pending;
    assert.equal(out.status, 'server_unavailable');
    assert.equal(JSON.parse(out.content).error.reason, 'server_unavailable');
    await waitFor(() => manager.tools().length === 0, 3_000, 'tools to disappear');
    assert.notEqual(manager.status()[0]?.state, 'connected');
    // While down, its tools are unavailable rather than unknown.
    assert.equal((await manager.callTool('fx__echo', { text: 'x' })).status, 'server_unavailable');

    await fixture.restart();
    await waitFor(() => manager.getTool('fx__echo'), 5_000, 'tools to come back');
    assert.equal(manager.status()[0]?.state, 'connected');
    assert.equal((await manager.callTool('fx__echo', { text: 'back' })).content, 'back');
  });
});

describe('McpManager transports and failures', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  test('falls back to HTTP+SSE when the server does not speak Streamable HTTP', async () => {
    const legacy = await startMcpHttpServer({ mode: 'sse' });
    cleanup.push(() => legacy.close());
    const manager = new McpManager({
      servers: { old: httpConfig(legacy.url), direct: httpConfig(legacy.url, { transport: 'sse' }) },
      logger: quietLogger,
      backoff,
    });
    cleanup.push(() => manager.stop());
    await manager.start();
    assert.deepEqual(
      manager.status().map((s) => [s.name, s.state, s.transport]),
      [
        ['old', 'connected', 'sse'],
        ['direct', 'connected', 'sse'],
      ],
    );
    assert.equal((await manager.callTool('old__add', { a: 1, b: 1 })).content, '2');
    assert.equal((await manager.callTool('direct__echo', { text: 'sse' })).content, 'sse');
  });

  test('one unreachable server does not fail start; it is retried until it comes up', async () => {
    const fixture = await startMcpHttpServer();
    cleanup.push(() => fixture.close());
    await fixture.stop();
    const manager = new McpManager({ servers: { late: httpConfig(fixture.url) }, logger: quietLogger, backoff });
    cleanup.push(() => manager.stop());
    await manager.start();
    const [status] = manager.status();
    assert.equal(status?.state, 'failed');
    assert.match(status?.error ?? '', /late/);
    assert.equal(manager.tools().length, 0);
    await fixture.restart();
    await waitFor(() => manager.status()[0]?.state === 'connected', 5_000, 'reconnect');
    assert.equal(manager.tools().length, 5);
  });

  test('stop() cancels reconnect attempts', async () => {
    let attempts = 0;
    const manager = new McpManager({
      servers: { x: httpConfig('http://127.0.0.1:9/mcp') },
      logger: quietLogger,
      backoff: { initialMs: 10, maxMs: 10 },
      connect: async () => {
        attempts++;
        throw new Error('down');
      },
    });
    await manager.start();
    await waitFor(() => attempts >= 3, 2_000, 'retries');
    await manager.stop();
    const stoppedAt = attempts;
    // Proving an absence takes a window: ten backoff intervals in which a live loop would retry.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(attempts, stoppedAt);
  });
});

// McpManager with a server's maxCallsInFlight (fair-queue.ts): what becomes of a call's slot when the
// call ends without an answer, and the queue wait counted against the caller's own bound.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startMcpHttpServer, type McpHttpServer } from '../tests/fixtures/mcp-http-server.js';
import { McpManager } from './manager.js';
import { httpConfig, quietLogger } from './testing.js';
import { waitFor } from '../tests/helpers/wait-for.js';

const TIMEOUT_MS = 1_000;

describe('a server with maxCallsInFlight: 1', () => {
  let fixture: McpHttpServer;
  let manager: McpManager;
  /** Who reached the server, in order. */
  const arrived: string[] = [];

  before(async () => {
    fixture = await startMcpHttpServer();
    fixture.setTool('nap', {
      description: 'Sleeps ms, then answers (or stops when cancelled)',
      inputSchema: { who: z.string(), ms: z.number() },
      handler: async (args, signal) => {
        arrived.push(String(args.who));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Number(args.ms));
          const stop = () => {
            clearTimeout(timer);
            resolve();
          };
          signal.addEventListener('abort', stop, { once: true });
        });
        return { content: [{ type: 'text', text: `done ${String(args.who)}` }] };
      },
    });
    const server = { ...httpConfig(fixture.url, { callTimeoutMs: TIMEOUT_MS }), maxCallsInFlight: 1 };
    manager = new McpManager({ servers: { fx: server }, logger: quietLogger, backoff: { initialMs: 50, maxMs: 200 } });
    await manager.start();
  });
  after(async () => {
    await manager.stop();
    await fixture.close();
  });

  const nap = (who: string, ms: number, opts: { caller: string; signal?: AbortSignal; timeoutMs?: number }) =>
    manager.callTool('fx__nap', JSON.stringify({ who, ms }), opts);
  const queued = () => manager.status()[0]!.queued;

  test('the wait counts against the caller’s bound: a call still queued at it times out, never sent', async () => {
    arrived.length = 0;
    const first = nap('first', 600, { caller: 'a' });
    const waiting = await nap('waiting', 0, { caller: 'b', timeoutMs: 200 });
    assert.equal(waiting.status, 'timeout');
    assert.equal(waiting.sent, false, 'not sent: a paid tool is not charged');
    assert.ok(waiting.latencyMs >= 190, `${waiting.latencyMs} ms`);
    assert.equal(waiting.errorMessage, 'the call waited 200 ms for its turn at the server (maxCallsInFlight 1) and was not sent');
    assert.equal((await first).status, 'ok');
    assert.equal((await nap('next', 0, { caller: 'b' })).status, 'ok');
    assert.deepEqual(arrived, ['first', 'next']);
  });

  test('a call cancelled after it was sent keeps its slot for the rest of its deadline', async () => {
    arrived.length = 0;
    const ctl = new AbortController();
    const cancelled = nap('cancelled', 60_000, { caller: 'a', signal: ctl.signal });
    await waitFor(() => arrived.includes('cancelled'), 5_000, 'the call at the server');
    const sentAt = performance.now();
    ctl.abort();
    const out = await cancelled;
    assert.equal(out.status, 'cancelled');
    assert.equal(out.sent, true);
    await waitFor(() => fixture.cancelled.includes('nap'), 5_000, 'the server told of the cancel');
    // The server may still be running it (the gateway cannot see): the next call waits.
    const next = nap('next', 0, { caller: 'b' });
    assert.equal(queued(), 1, 'the slot is still held');
    assert.equal((await next).status, 'ok');
    const waited = performance.now() - sentAt;
    assert.ok(waited >= TIMEOUT_MS / 2, `the next call went after ${Math.round(waited)} ms`);
    assert.deepEqual(arrived, ['cancelled', 'next']);
  });

  test('a call that timed out gives its slot back at once', async () => {
    const timedOut = await nap('slow', 60_000, { caller: 'a' });
    assert.equal(timedOut.status, 'timeout');
    const next = nap('next', 0, { caller: 'b' });
    assert.equal(queued(), 0, 'sent at once');
    assert.equal((await next).status, 'ok');
  });
});

describe('a server with maxCallsInFlight: 1, and teams', () => {
  let fixture: McpHttpServer;
  let manager: McpManager;
  /** Who reached the server, and when the prompt get came back, in order. */
  const arrived: string[] = [];
  let open!: () => void;
  const held = new Promise<void>((r) => (open = r));

  before(async () => {
    fixture = await startMcpHttpServer({ full: true });
    fixture.setTool('hold', {
      description: 'Answers when the test lets it (the first call), else at once',
      inputSchema: { who: z.string() },
      handler: async (args) => {
        arrived.push(String(args.who));
        if (args.who === 'a1') await held;
        return { content: [{ type: 'text', text: 'done' }] };
      },
    });
    const server = { ...httpConfig(fixture.url, { callTimeoutMs: 10_000 }), maxCallsInFlight: 1 };
    manager = new McpManager({ servers: { fx: server }, logger: quietLogger, backoff: { initialMs: 50, maxMs: 200 } });
    await manager.start();
  });
  after(async () => {
    await manager.stop();
    await fixture.close();
  });

  test("a prompt get counts in its key's team's turns, not as a tenant of its own", async () => {
    const hold = (who: string, team: string) => manager.callTool('fx__hold', JSON.stringify({ who }), { caller: who, team });
    const calls = [hold('a1', 'A')];
    await waitFor(() => arrived.length === 1, 5_000, 'the first call at the server');
    calls.push(hold('a2', 'A'), hold('c1', 'C'));
    // Team A's third key: its turn comes after team C's call and its own team's queued one.
    const prompt = manager.offers.getPromptResult('fx__greet', { name: 'Ada' }, undefined, { keyId: 'a3', teamId: 'A' }).then((out) => {
      arrived.push('prompt');
      return out;
    });
    assert.equal(manager.status()[0]!.queued, 3);
    open();
    assert.equal((await prompt).status, 'ok');
    for (const c of await Promise.all(calls)) assert.equal(c.status, 'ok');
    assert.deepEqual(arrived, ['a1', 'c1', 'a2', 'prompt']);
  });
});

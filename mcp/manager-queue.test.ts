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

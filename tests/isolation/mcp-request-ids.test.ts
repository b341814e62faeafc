// JSON-RPC ids within one /mcp session. The MCP spec says a request id MUST NOT have been used
// before by the requestor in the same session; a client that reuses one while its first request
// is still running must not get one request's answer on the other's POST, or lose one: the second
// request is refused (400 -32600) and the first is answered as if it had been alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ToolOutcome } from '../../src/chat/ports.js';
import { bareEndpoint, sseSession, streamableSession } from '../helpers/mcp-bare-endpoint.js';

/** fx__echo answers `args.say` when the test releases it. */
function heldTools() {
  const held = new Map<string, () => void>();
  const call = (args: Record<string, unknown>) =>
    new Promise<ToolOutcome>((resolve) => {
      // The call path hands the tool its arguments as JSON text (mcp-wide-bodies.test.ts says why).
      const say = String((typeof args === 'string' ? JSON.parse(args) : args).say);
      held.set(say, () =>
        resolve({ status: 'ok', content: say, isError: false, latencyMs: 1, raw: { content: [{ type: 'text', text: say }] } }),
      );
    });
  const release = async (say: string) => {
    while (!held.has(say)) await new Promise((r) => setTimeout(r, 5));
    held.get(say)!();
  };
  return { call, release, held };
}

const callBody = (id: number, say: string) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'fx__echo', arguments: { say } } });

/** The promise's value, or 'pending' if it has none after `ms`. */
async function within<T>(p: Promise<T>, ms = 2_000): Promise<T | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const value = await Promise.race([p, new Promise<'pending'>((r) => (timer = setTimeout(() => r('pending'), ms)))]);
  clearTimeout(timer);
  return value;
}

/** The text of the tool result(s) in a POST's answer, JSON or event stream. */
const said = (text: string) => [...text.matchAll(/"text":"([^"]*)"/g)].map((m) => m[1]);

describe('a JSON-RPC id reused while its request runs, in one session', () => {
  test('Streamable HTTP, two POSTs: the second is refused, the first gets its own answer', async () => {
    const tools = heldTools();
    const { app } = bareEndpoint(tools.call);
    const session = await streamableSession(app);
    const first = session.post(callBody(7, 'first'));
    // The first call is running before the second is sent.
    while (!tools.held.has('first')) await new Promise((r) => setTimeout(r, 5));
    const second = within(session.post(callBody(7, 'second')));
    await new Promise((r) => setTimeout(r, 200));
    // The second call (if it runs) ends first.
    if (tools.held.has('second')) await tools.release('second');
    await new Promise((r) => setTimeout(r, 50));
    await tools.release('first');
    const [a, b] = [await within(first), await second];
    const got = (r: typeof a) => (r === 'pending' ? 'nothing' : `${r.status} ${said(r.text).join(',') || r.text}`);
    const seen = `first POST got ${got(a)}; second POST got ${got(b)}`;
    assert.ok(b !== 'pending' && b.status === 400 && /-32600/.test(b.text), seen);
    assert.ok(a !== 'pending' && said(a.text).join() === 'first', seen);
    // The id is free again once answered.
    const again = session.post(callBody(7, 'third'));
    await tools.release('third');
    const third = await within(again);
    assert.ok(third !== 'pending' && said(third.text)[0] === 'third');
  });

  test('Streamable HTTP, a batch holding one id twice is refused whole', async () => {
    const tools = heldTools();
    const { app, got } = bareEndpoint(tools.call);
    const session = await streamableSession(app, 'k1', '2025-03-26'); // the last revision with batches
    const res = await within(session.post(`[${callBody(9, 'a')},${callBody(9, 'b')}]`));
    for (const say of tools.held.keys()) await tools.release(say);
    assert.notEqual(res, 'pending', 'answered at once');
    if (res !== 'pending') assert.equal(res.status, 400, res.text);
    assert.equal(got.length, 0, 'no call ran');
  });

  test('HTTP+SSE: the second is refused, the first answered once', async () => {
    const tools = heldTools();
    const { app } = bareEndpoint(tools.call);
    const sse = await sseSession(app);
    assert.equal((await sse.post(callBody(5, 'first'))).status, 202);
    while (!tools.held.has('first')) await new Promise((r) => setTimeout(r, 5));
    const second = await sse.post(callBody(5, 'second'));
    assert.equal(second.status, 400, second.text);
    await tools.release('first');
    let events = '';
    while (!events.includes('"id":5')) {
      const chunk = await within(sse.reader.read());
      assert.notEqual(chunk, 'pending', `the answer came: ${events}`);
      if (chunk !== 'pending') events += new TextDecoder().decode(chunk.value);
    }
    assert.deepEqual(said(events), ['first']);
    await sse.reader.cancel();
  });
});

// A stdio server's elicitation and sampling requests (and log messages) say nothing of the call they
// are about, so the gateway binds one to the only call in flight to that server, if no other call
// may still be running there (call-context.ts, callFor). A call the gateway gave up on counts
// (mcp-stdio-late-interactions.test.ts); so, now, does a call that was answered: a tool may leave
// work running after its answer and ask later. Before, a key's call that had answered was no longer
// counted, so what its tool asked afterwards went to whichever call was then alone in flight,
// another key's: that key's client was shown the question (here the first key's secret). Now a call
// answered in the last callTimeoutMs blocks binding for other keys' calls (not for its own key's:
// an agent that calls one tool and then another that asks its user keeps working).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectStreamable, textOf, type Connected } from '../../mcp/server/testing.js';

const FIRST = 'vk-late-answer-first01';
const OTHER = 'vk-late-answer-other01';
const CALL_TIMEOUT_MS = 2_000;
let gw: TestGateway;

before(async () => {
  const server = fileURLToPath(new URL('../fixtures/late-elicit-server.mjs', import.meta.url));
  gw = await startGateway({
    config: {
      mcpServers: { late: { transport: 'stdio', command: process.execPath, args: [server], callTimeoutMs: CALL_TIMEOUT_MS, pin: 'off' } },
      virtualKeys: [
        { id: 'first', key: FIRST, tools: { allow: ['late__*'] } },
        { id: 'other', key: OTHER, tools: { allow: ['late__*'] } },
      ],
    },
  });
});
after(() => gw.close());

/** A session that accepts every question, and the questions it was shown. */
async function session(key: string): Promise<Connected & { shown: string[] }> {
  const s = await connectStreamable(gw.url, key, { elicitation: {} });
  const shown: string[] = [];
  s.client.setRequestHandler(ElicitRequestSchema, (r) => {
    shown.push(r.params.message);
    return { action: 'accept', content: { ok: true } };
  });
  return Object.assign(s, { shown });
}

test("a question a tool asks after its call was answered does not reach another key's call", async () => {
  const first = await session(FIRST);
  const other = await session(OTHER);
  try {
    // A key's own calls in a row: the second one's question is its own, and is asked.
    assert.equal(textOf(await first.client.callTool({ name: 'late__wait', arguments: { ms: 0 } })), 'waited');
    const own = await first.client.callTool({ name: 'late__ask_later', arguments: { delayMs: 0, secret: 'first asks its own' } });
    assert.match(textOf(own), /answered: .*accept/);
    assert.deepEqual(first.shown, ['first asks its own']);
    // The first key's call answers; its tool asks 500 ms later, while the other key's call is the only one in flight.
    const start = Date.now();
    const answered = await first.client.callTool({ name: 'late__answer_then_ask', arguments: { delayMs: 500, secret: "first's secret" } });
    assert.equal(textOf(answered), 'answered first');
    assert.equal(textOf(await other.client.callTool({ name: 'late__wait', arguments: { ms: 1_200 } })), 'waited');
    assert.deepEqual(other.shown, [], "the other key's client was not asked the first key's question");
    // Once the answered call's window (callTimeoutMs) is over, the other key's call gets its own questions again.
    await new Promise((r) => setTimeout(r, Math.max(0, CALL_TIMEOUT_MS + 200 - (Date.now() - start))));
    const asked = await other.client.callTool({ name: 'late__ask_later', arguments: { delayMs: 0, secret: 'other asks its own' } });
    assert.match(textOf(asked), /answered: .*accept/);
    assert.deepEqual(other.shown, ['other asks its own']);
  } finally {
    await Promise.all([first.close(), other.close()]);
  }
});

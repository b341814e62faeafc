// A stdio server's elicitation and sampling requests carry nothing that says which call they are
// about, so the gateway binds one to the call in flight to that server only when there is exactly one
// (call-context.ts). A call the gateway stopped waiting for — timed out, or cancelled by its client —
// may still be running at the server: the gateway sends notifications/cancelled, but a tool is free to
// ignore it, and most do. Before, such a call was no longer counted, so what it asked later went to
// whichever call was then alone in flight, another key's: that key's client was shown the question
// (here a victim's secret) and its answer went back to the victim's call. Now a call abandoned while
// sent counts against binding for the server's callTimeoutMs more (or until the server process is
// replaced): what a server asks meanwhile is refused, never guessed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectStreamable, textOf } from '../../mcp/server/testing.js';

const VICTIM = 'vk-late-victim-0001';
const ATTACKER = 'vk-late-attacker-0001';
const CALL_TIMEOUT_MS = 2_000;
let gw: TestGateway;

before(async () => {
  const server = fileURLToPath(new URL('../fixtures/late-elicit-server.mjs', import.meta.url));
  gw = await startGateway({
    config: {
      mcpServers: { late: { transport: 'stdio', command: process.execPath, args: [server], callTimeoutMs: CALL_TIMEOUT_MS, pin: 'off' } },
      virtualKeys: [
        { id: 'victim', key: VICTIM, tools: { allow: ['late__*'] } },
        { id: 'attacker', key: ATTACKER, tools: { allow: ['late__*'] } },
      ],
    },
  });
});
after(() => gw.close());

test("a question from a call the gateway gave up on does not reach another key's call", async () => {
  const victim = await connectStreamable(gw.url, VICTIM, { elicitation: {} });
  const attacker = await connectStreamable(gw.url, ATTACKER, { elicitation: {} });
  const shown: string[] = [];
  attacker.client.setRequestHandler(ElicitRequestSchema, (r) => {
    shown.push(r.params.message);
    return { action: 'accept', content: { ok: true } };
  });
  try {
    // The victim's call times out at the gateway; the server goes on and asks 600 ms later.
    const start = Date.now();
    const gaveUp = await victim.client.callTool({
      name: 'late__ask_later',
      arguments: { delayMs: CALL_TIMEOUT_MS + 600, secret: "victim's secret" },
    });
    assert.match(textOf(gaveUp), /did not answer|timed out|within/i, textOf(gaveUp));
    // Meanwhile the attacker's call is the only one in flight to the server.
    const own = await attacker.client.callTool({ name: 'late__wait', arguments: { ms: 1_500 } });
    assert.equal(textOf(own), 'waited');
    assert.deepEqual(shown, [], "the attacker's client was not asked the victim's question");
    // Once the abandoned call's window (callTimeoutMs from when the gateway gave up, which a loaded
    // machine puts later than 2 × callTimeoutMs after start) is over, the only call in flight gets its
    // own questions again: asked until then (a refused question is shown to nobody), for at most two
    // windows more, so a binding refused for good still fails.
    const since = Date.now() - start;
    await new Promise((r) => setTimeout(r, Math.max(0, 2 * CALL_TIMEOUT_MS + 100 - since)));
    const askUntil = Date.now() + 2 * CALL_TIMEOUT_MS;
    let asked: string;
    for (;;) {
      asked = textOf(await attacker.client.callTool({ name: 'late__ask_later', arguments: { delayMs: 0, secret: 'your own question' } }));
      if (/answered: .*accept/.test(asked) || Date.now() > askUntil) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(asked, /answered: .*accept/);
    assert.deepEqual(shown, ['your own question']);
  } finally {
    await Promise.all([victim.close(), attacker.close()]);
  }
});

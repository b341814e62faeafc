// Per-tool limits (toolLimits) as a key holder would try to get around them (README, Rate limits):
// calls sent at once through /mcp, and calls split between the chat loop and /mcp. Each toolLimits
// entry is one counter for the key whichever surface runs the call, counted all-or-nothing before
// the call, so neither concurrency nor a second surface buys extra calls.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { toolResultsOf } from '../helpers/wire.js';
import { connectStreamable, reasonOf } from '../../mcp/server/testing.js';

const BURST = 'vk-tool-limit-burst-1';
const SHARED = 'vk-tool-limit-shared1';

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  const limited = (id: string, key: string, calls: number) => ({
    id,
    key,
    models: ['*'],
    tools: { allow: ['fix__*'] },
    toolLimits: [{ tool: 'fix__echo', calls, window: '1h' }],
  });
  ({ mock, gw, stop } = await startStack({
    mcp: true,
    config: { virtualKeys: [limited('burst', BURST, 3), limited('shared', SHARED, 2)] },
  }));
});
after(() => stop?.());
beforeEach(() => mock.reset());

describe('per-tool limits', () => {
  test('20 /mcp calls at once over two sessions against 3 per window: exactly 3 run', async () => {
    const sessions = [await connectStreamable(gw.url, BURST), await connectStreamable(gw.url, BURST)];
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sessions[i % 2]!.client.callTool({ name: 'fix__echo', arguments: { text: `c${i}` } })),
      );
      const reasons = results.map((r) => reasonOf(r) ?? 'ran');
      assert.equal(reasons.filter((r) => r === 'ran').length, 3, reasons.join(','));
      assert.equal(reasons.filter((r) => r === 'tool_rate_limited').length, 17);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });

  test('the chat loop and /mcp count against one counter', async () => {
    mock.enqueue(
      {
        kind: 'tool_calls',
        calls: [
          { name: 'fix__echo', arguments: { text: 'a' } },
          { name: 'fix__echo', arguments: { text: 'b' } },
        ],
      },
      { kind: 'text', text: 'done' },
    );
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SHARED}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'echo twice' }] }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      toolResultsOf(mock.requests[1]!.body).map((r) => r.content),
      ['a', 'b'],
    );
    const agent = await connectStreamable(gw.url, SHARED);
    try {
      const third = await agent.client.callTool({ name: 'fix__echo', arguments: { text: 'c' } });
      assert.equal(reasonOf(third), 'tool_rate_limited');
    } finally {
      await agent.close();
    }
  });
});

// The shared set-up of the isolation and budget tests (stack.ts): what it starts and wires, and
// that a part failing to start leaves nothing listening.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { McpHttpServer } from '../fixtures/mcp-http-server.js';
import type { MockUpstream } from '../mock-upstream/server.js';
import { startStack } from './stack.js';

test('the mock providers and the fixture as server fix, each part closed by stop()', async () => {
  const { mock, fixture, gw, stop } = await startStack({
    mcp: true,
    providers: { maxRetries: 0 },
    config: { virtualKeys: [{ id: 'k', key: 'vk-stack-test-0001', tools: { allow: ['fix__*'] } }] },
  });
  try {
    assert.deepEqual(
      gw.gateway.mcp.status().map((s) => s.name),
      ['fix'],
    );
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer vk-stack-test-0001', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(mock.requests.length, 1);
  } finally {
    await stop();
  }
  for (const url of [gw.url, fixture.url, mock.url]) await assert.rejects(fetch(url), /fetch failed/, `${url} still answers`);
});

test('a gateway that fails to start: the error is thrown, the mock and the fixture are closed', async () => {
  let parts: { mock: MockUpstream; fixture: McpHttpServer | undefined } | undefined;
  await assert.rejects(
    startStack({
      mcp: true,
      config: (p) => {
        parts = p;
        return { virtualKeys: [{ id: 'k', key: 'vk-stack-test-0002', tools: { allow: ['a'.repeat(257)] } }] };
      },
    }),
    /tools\.allow.*256 characters/s,
  );
  for (const url of [parts!.mock.url, parts!.fixture!.url]) await assert.rejects(fetch(url), /fetch failed/, `${url} still answers`);
});

// Glob bombs (issue 15, item 1): hostile patterns in x-tollgate-tools, hostile config globs and
// huge tool names from a model or an /mcp client must not stall the event loop for other tenants.
// Measured as the gateway's event-loop delay (it runs in this process) while the bombs are sent, not
// by timing requests. A backtracking matcher blocks for seconds on 8 stars and effectively forever on 13.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { worstLoopDelayMs } from '../helpers/loop-delay.js';
import { connectStreamable, textOf } from '../../mcp/server/testing.js';
import { offeredToolsOf, toolResultsOf } from '../helpers/wire.js';

const VK = 'vk-glob-bomb-test-01';
// Config globs that a regex engine matches in polynomial time (one nesting level per star). They
// end in a letter no tool name here has ("#" can match no gateway name, so config refuses it).
const HOSTILE_CONFIG = `*${'a*'.repeat(12)}Z`;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
let client: OpenAI;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    mcp: true,
    config: {
      virtualKeys: [
        { id: 'bomb', key: VK, models: ['*'], tools: { allow: ['fix__*', HOSTILE_CONFIG], deny: [HOSTILE_CONFIG, '*?*?*?*?*?*?Z'] } },
      ],
    },
  }));
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(() => stop?.());

// Far below the seconds-to-forever of a backtracking matcher, far above scheduler noise on a busy machine.
const LOOP_DELAY_BOUND_MS = 400;

describe('glob bombs', () => {
  test('x-tollgate-tools star bombs: answered normally, the event loop never stalls', async () => {
    mock.fallback = (body) => ({ kind: 'text', text: `offered ${offeredToolsOf(body).length}` });
    const bombs = [
      '*************#',
      `${'*'.repeat(255)}#`,
      `${'*?'.repeat(127)}#`,
      Array.from({ length: 64 }, () => `${'*a'.repeat(100)}#`).join(','),
    ];
    const worst = await worstLoopDelayMs(async () => {
      for (const bomb of bombs) {
        const res = await client.chat.completions.create(
          { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
          { headers: { 'x-tollgate-tools': bomb } },
        );
        assert.equal(res.choices[0]!.message.content, 'offered 0', 'no tool name matches the bomb');
      }
    });
    assert.ok(worst < LOOP_DELAY_BOUND_MS, `event loop stalled for ${worst.toFixed(1)} ms`);
  });

  test('too many or too long header patterns: 400 invalid_tools_header before any matching', async () => {
    for (const header of [Array.from({ length: 65 }, (_, i) => `fix__t${i}`).join(','), `fix__${'a'.repeat(300)}`]) {
      const err = await client.chat.completions
        .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-tollgate-tools': header } })
        .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 400);
      assert.equal((err.error as { code: string }).code, 'invalid_tools_header');
      assert.equal((err.error as { param: string }).param, 'x-tollgate-tools');
    }
  });

  test('a 200k-character tool name from the model against hostile config globs: refused without stalling', async () => {
    const huge = 'a'.repeat(200_000);
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: huge, arguments: {} }] });
    mock.fallback = (body) => ({ kind: 'text', text: toolResultsOf(body)[0]?.content ?? 'none' });
    let answer = '';
    const worst = await worstLoopDelayMs(async () => {
      const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
      answer = res.choices[0]!.message.content ?? '';
    });
    assert.match(answer, /at most 256 characters/);
    assert.ok(worst < LOOP_DELAY_BOUND_MS, `event loop stalled for ${worst.toFixed(1)} ms`);
  });

  test('a 200k-character tool name from an /mcp client: an error result, no stall', async () => {
    const mcp = await connectStreamable(gw.url, VK);
    try {
      let result: unknown;
      const worst = await worstLoopDelayMs(async () => {
        result = await mcp.client.callTool({ name: 'f'.repeat(200_000), arguments: {} });
      });
      assert.equal((result as { isError?: boolean }).isError, true);
      assert.match(textOf(result), /at most 256 characters/);
      assert.ok(worst < LOOP_DELAY_BOUND_MS, `event loop stalled for ${worst.toFixed(1)} ms`);
    } finally {
      await mcp.close();
    }
  });
});

describe('config globs', () => {
  test('a pattern longer than 256 characters stops startup naming the field', async () => {
    await assert.rejects(
      startGateway({
        config: { providers: mockProviders(mock), virtualKeys: [{ id: 'k', key: 'vk-long-glob-01', tools: { allow: ['a'.repeat(257)] } }] },
      }),
      /tools\.allow.*256 characters/s,
    );
  });
});

// Message bombs (issue 15, item 2): thousands of tiny messages must not stall the event loop for
// other tenants, on any surface or translation (chat → Anthropic merges same-role turns; Messages →
// chat splits tool results out; Messages pass-through bounds the input), and bodies beyond the
// configured caps are refused with a clear 400 before any work. Measured as the gateway's event-loop
// delay (it runs in this process), not by timing requests. Merging by copying, as before, blocked
// the loop for 3.3 s on 12,000 one-character messages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { worstLoopDelayMs } from '../helpers/loop-delay.js';

const VK = 'vk-message-bomb-01';
const MAX_MESSAGES = 20_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
let client: OpenAI;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: {
      virtualKeys: [{ id: 'bomb', key: VK, models: ['*'] }],
      requestLimits: { maxMessages: MAX_MESSAGES, maxContentParts: 40_000 },
    },
  }));
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(() => stop?.());

// The linear work on 12,000 messages stalls the loop ~30–100 ms on an idle machine (parse, map,
// bound, serialise, and the mock upstream's parse, all in this process); the quadratic merge it
// replaces took 3,300 ms. The bound sits between, with room for a machine under heavy load.
const LOOP_DELAY_BOUND_MS = 1_000;
const tiny = (n: number) => Array.from({ length: n }, (_, i) => ({ role: 'user' as const, content: String(i % 10) }));
const postMessages = (body: unknown) =>
  fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': VK },
    body: JSON.stringify(body),
  });

describe('message bombs', () => {
  test('12,000 one-character messages to an Anthropic model (chat), and through Messages to both kinds of upstream', async () => {
    const send = async (n: number) => {
      const res = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: tiny(n) });
      assert.equal(res.choices[0]!.message.content, 'echo: 0', 'the mock echoes the first block of the merged turn');
      assert.equal(mock.requests.at(-1)!.body.messages.length, 1, 'merged into one user turn');
      for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']) {
        const msg = await postMessages({
          model,
          max_tokens: 5,
          messages: [{ role: 'user', content: Array.from({ length: n }, (_, i) => ({ type: 'text', text: String(i % 10) })) }, ...tiny(n)],
        });
        assert.equal(msg.status, 200);
      }
    };
    // The same requests, small, first: what is measured is the work per message, not the first
    // compilation of each code path (a cold path alone can take a few hundred ms on a loaded machine).
    await send(1_000);
    const worst = await worstLoopDelayMs(() => send(12_000));
    assert.ok(worst < LOOP_DELAY_BOUND_MS, `event loop stalled for ${worst.toFixed(1)} ms`);
  });

  test('beyond the configured caps: 400 naming messages (input on Responses), on chat, Messages and Responses, before any upstream call', async () => {
    mock.reset();
    await assert.rejects(
      client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: tiny(MAX_MESSAGES + 1) }),
      (err: any) => err.status === 400 && err.code === 'too_many_messages' && err.param === 'messages',
    );
    const parts = await postMessages({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 5,
      messages: [{ role: 'user', content: Array.from({ length: 40_001 }, () => ({ type: 'text', text: 'x' })) }],
    });
    assert.equal(parts.status, 400);
    assert.equal(((await parts.json()) as any).error.code, 'too_many_content_parts');
    // Responses too: its input items are the messages (the schema's own cap of 10,000 items says nothing of parts).
    const items = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${VK}` },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        input: [{ role: 'user', content: Array.from({ length: 40_001 }, () => ({ type: 'input_text', text: 'x' })) }],
      }),
    });
    const refused = (await items.json()) as any;
    assert.equal(items.status, 400, JSON.stringify(refused).slice(0, 200));
    assert.deepEqual([refused.error.code, refused.error.param], ['too_many_content_parts', 'input']);
    // A function_call_output's parts count alike.
    const outputs = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${VK}` },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        input: [{ type: 'function_call_output', call_id: 'call_1', output: Array.from({ length: 40_001 }, () => ({ type: 'x' })) }],
      }),
    });
    assert.equal(outputs.status, 400);
    assert.equal(((await outputs.json()) as any).error.code, 'too_many_content_parts');
    assert.equal(mock.requests.length, 0);
  });

  test('a body of more invalid values than zod can list (60,000 malformed tool calls): 400, not a 500', async () => {
    mock.reset();
    // zod hands each level's issues up with push(...list): past ~120,000 that overflowed the stack,
    // and the RangeError was answered 500 "Internal gateway error".
    const calls = Array.from({ length: 60_000 }, () => ({ id: '', type: 'x', function: {} }));
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${VK}` },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'assistant', tool_calls: calls }] }),
    });
    const body = (await res.json()) as any;
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 200));
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /too many invalid values/);
    assert.equal(mock.requests.length, 0);
  });
});

// A malformed upstream answer is the upstream's fault (issue 15, item 9): well-formed JSON in the
// wrong shape — a null choice, a delta that is not an object, numeric content, a tool call that is
// not an object, usage with strings — is a 502 upstream_malformed, never a 500, streamed or not,
// from either provider type; and the next request is served normally.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const VK = 'vk-malformed-test-01';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({ providers: { maxRetries: 0 }, config: { virtualKeys: [{ id: 'm', key: VK, models: ['*'] }] } }));
});
after(() => stop?.());

async function chat(model: string, stream: boolean): Promise<{ status: number; text: string }> {
  const r = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'x' }] }),
  });
  return { status: r.status, text: await r.text() };
}

const sse = (...frames: string[]) => ({ kind: 'raw' as const, status: 200, body: frames.join(''), contentType: 'text/event-stream' });

const OPENAI_CHUNKS = [
  '{"choices":[null]}',
  '{"choices":[{"index":0,"delta":{"tool_calls":[null]}}]}',
  '{"choices":[{"index":0,"delta":{"content":5}}]}',
  '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":"x","function":{"name":"f","arguments":{}}}]}}]}',
  '{"choices":[],"usage":{"prompt_tokens":"many"}}',
  'null',
  '[1]',
];
const OPENAI_BODIES = [
  '{"choices":[{"message":null}]}',
  '{"choices":[{"message":{"content":5}}]}',
  '{"choices":[{"message":{"tool_calls":[null]}}]}',
  '{"choices":[],"usage":"x"}',
];
const ANTHROPIC_EVENTS = [
  'event: message_start\ndata: {"type":"message_start","message":null}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":null}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":null}\n\n',
];
const ANTHROPIC_BODIES = [
  '{"type":"message","content":null}',
  '{"type":"message","content":[null]}',
  '{"type":"message","content":[],"usage":null}',
];

describe('malformed upstream answers', () => {
  test('OpenAI-compatible: wrong-shaped stream chunks and bodies are 502 upstream_malformed', async () => {
    for (const c of OPENAI_CHUNKS) {
      mock.enqueue(sse(`data: ${c}\n\n`, 'data: [DONE]\n\n'));
      const r = await chat('openai/gpt-4o-mini', true);
      assert.equal(r.status, 502, `${c} → ${r.text}`);
      assert.equal(JSON.parse(r.text).error.code, 'upstream_malformed', c);
    }
    for (const b of OPENAI_BODIES) {
      mock.enqueue({ kind: 'raw', status: 200, body: b, contentType: 'application/json' });
      const r = await chat('openai/gpt-4o-mini', false);
      assert.equal(r.status, 502, `${b} → ${r.text}`);
      assert.equal(JSON.parse(r.text).error.code, 'upstream_malformed', b);
    }
  });

  test('Anthropic: wrong-shaped events and bodies are 502, never 500', async () => {
    for (const e of ANTHROPIC_EVENTS) {
      mock.enqueue(sse(e));
      const r = await chat('anthropic/claude-sonnet-4-5', true);
      assert.equal(r.status, 502, `${e} → ${r.text}`);
    }
    for (const b of ANTHROPIC_BODIES) {
      mock.enqueue({ kind: 'raw', status: 200, body: b, contentType: 'application/json' });
      const r = await chat('anthropic/claude-sonnet-4-5', false);
      assert.equal(r.status, 502, `${b} → ${r.text}`);
    }
    mock.fallback = () => ({ kind: 'text', text: 'fine' });
    const ok = await chat('openai/gpt-4o-mini', false);
    assert.equal(ok.status, 200, 'the gateway keeps serving');
  });
});

// A key's token limit under concurrency (README, Rate limits; Guarantees: Isolation). Tokens used are
// known only when a response's usage arrives, so every call admitted before then was counted as 0:
// of 60 calls sent at once against `tokens: 1000` (500 tokens each), 35 went through (17,500 tokens,
// 17× the limit), on every surface. Now each upstream call reserves its worst case (input bound +
// output cap) in the window while the window — used plus reserved — is under the limit, and its
// usage replaces the reservation when it arrives: the window passes the limit by at most one call's
// reservation (2 calls, 1,000 tokens here). A tool loop whose later round finds the limit reached
// ends with the answer so far (stopped: rate_limited), as a budget ends it.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const KEY = 'vk-token-burst-00001';
const LOOP = 'vk-token-loop-000001';
const LIMIT = 1000;
const CAP = 400;
/** 400 bytes: the input bound of a call is a little over that, and the upstream reports 100 input tokens. */
const PROMPT = 'tokens '.repeat(57).slice(0, 400);
/** One call's reservation at most: its input bound (the prompt's bytes, role, per-message and reply overhead) + its cap. */
const RESERVATION = PROMPT.length + 64 + CAP;

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    providers: { maxRetries: 0 },
    mcp: true,
    config: {
      virtualKeys: [
        { id: 'burst', key: KEY, models: ['*'], rateLimit: { tokens: LIMIT, window: '1h' } },
        { id: 'loop', key: LOOP, models: ['*'], tools: { allow: ['fix__*'] }, rateLimit: { tokens: LIMIT, window: '1h' } },
      ],
    },
  }));
});
after(() => stop?.());
beforeEach(() => mock.reset());

const post = (path: string, key: string, body: object) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

const chat = (stream: boolean) =>
  post('/v1/chat/completions', KEY, {
    model: 'openai/gpt-4o-mini',
    max_tokens: CAP,
    stream,
    messages: [{ role: 'user', content: PROMPT }],
  });
const messages = () =>
  post('/v1/messages', KEY, { model: 'anthropic/claude-sonnet-4-5', max_tokens: CAP, messages: [{ role: 'user', content: PROMPT }] });
const responses = () => post('/v1/responses', KEY, { model: 'openai/gpt-4o-mini', max_output_tokens: CAP, input: PROMPT });

describe('token limit under concurrency', () => {
  test('60 calls at once on chat (JSON and SSE), Messages and Responses: the window passes the limit by at most one call', async (t) => {
    mock.fallback = () => ({ kind: 'text', text: 'ok', usage: { input: 100, output: CAP }, delayMs: 300 });
    const sends = [
      ...Array.from({ length: 20 }, () => chat(false)),
      ...Array.from({ length: 10 }, () => chat(true)),
      ...Array.from({ length: 15 }, messages),
      ...Array.from({ length: 15 }, responses),
    ];
    const results = await Promise.all(sends);
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    assert.equal(ok + refused.length, 60, results.map((r) => r.status).join(','));
    assert.ok(ok >= 1, 'the first call goes through');
    assert.match(refused[0]!.text, /rate limit of 1000 tokens per 1h/);
    const [row] = await gw.query<{ tokens: number }>(
      "SELECT SUM(prompt_tokens + completion_tokens) AS tokens FROM requests WHERE key_id = 'burst'",
    );
    const used = Number(row!.tokens);
    t.diagnostic(`${ok} of 60 calls admitted, ${used} tokens used against a limit of ${LIMIT}`);
    assert.ok(used <= LIMIT + RESERVATION, `${used} tokens used in the window against a limit of ${LIMIT} (${ok} calls admitted)`);
  });

  test('a tool loop whose next round finds the token limit reached ends with the answer so far', async () => {
    mock.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'fix__echo', arguments: { text: 'x' } }], usage: { input: 300, output: 800 } },
      { kind: 'text', text: 'second round', usage: { input: 10, output: 1 } },
    );
    const res = await post('/v1/chat/completions', LOOP, {
      model: 'openai/gpt-4o-mini',
      max_tokens: CAP,
      messages: [{ role: 'user', content: 'echo x' }],
    });
    assert.equal(res.status, 200, res.text);
    const body = JSON.parse(res.text);
    assert.equal(body.tollgate.stopped, 'rate_limited');
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.equal(mock.requests.length, 1, 'the second round was not sent');
  });
});

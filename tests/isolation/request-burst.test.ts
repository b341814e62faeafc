// A burst against a key's request rate limit (README, Rate limits), as a key holder would send it:
// 200 requests at once against `requests: 10`, spread over chat (JSON and SSE), Messages, Responses
// and /mcp, and over two replicas sharing Redis. The counter is one per key and its hits atomic, so
// exactly 10 are served and the rest refused with 429 rate_limited and a Retry-After. A token limit
// holds across the replicas too: each call's reservation is in the shared window.
// (tests/scale-out.test.ts holds the same for chat alone, with PostgreSQL; this needs only Redis.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectTestRedis, type TestRedis } from '../helpers/services.js';

const VK = 'vk-request-burst-0001';
const TOKENS_VK = 'vk-request-burst-tokens';
const redis = await connectTestRedis();
const skip = typeof redis === 'string' ? redis : false;
if (skip) console.log(`# skipping request bursts across replicas: ${skip}`);

let mock: MockUpstream;
const replicas: TestGateway[] = [];

before(async () => {
  if (skip) return;
  mock = await startMockUpstream();
  mock.fallback = (body) =>
    JSON.stringify(body).includes('tokens tokens')
      ? { kind: 'text', text: 'ok', usage: { input: 100, output: 400 }, delayMs: 300 }
      : { kind: 'text', text: 'ok', usage: { input: 5, output: 1 }, delayMs: 50 };
  const config = {
    providers: mockProviders(mock),
    virtualKeys: [
      { id: 'burst', key: VK, models: ['*'], rateLimit: { requests: 10, window: '1h' } },
      { id: 'tokens', key: TOKENS_VK, models: ['*'], rateLimit: { tokens: 1000, window: '1h' } },
    ],
  };
  const shared = { redis: { url: (redis as TestRedis).url, prefix: (redis as TestRedis).prefix } };
  replicas.push(await startGateway({ config, ...shared }));
  replicas.push(await startGateway({ config, ...shared }));
});
after(async () => {
  if (skip) return;
  for (const r of replicas) await r.close();
  await mock.close();
  await (redis as TestRedis).cleanup();
});

const headers = { authorization: `Bearer ${VK}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const SENDS: Array<[path: string, body: object]> = [
  ['/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/chat/completions', { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/messages', { model: 'anthropic/claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/responses', { model: 'openai/gpt-4o-mini', input: 'hi' }],
  [
    '/mcp',
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'burst', version: '1' } },
    },
  ],
];

describe('a burst against a request rate limit', { skip }, () => {
  test('200 requests at once over five surfaces and two replicas against requests: 10 → exactly 10 served', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const [path, body] = SENDS[i % SENDS.length]!;
        const res = await fetch(`${replicas[i % 2]!.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
        return { status: res.status, text: await res.text(), retryAfter: Number(res.headers.get('retry-after')) };
      }),
    );
    const limited = results.filter((r) => r.status === 429);
    assert.equal(limited.length, 190, results.map((r) => r.status).join(','));
    assert.ok(
      results.every((r) => r.status === 200 || r.status === 429),
      results.map((r) => r.status).join(','),
    );
    assert.ok(limited.every((r) => /rate_limited/.test(r.text) && r.retryAfter >= 1));
  });

  test('a token limit across two replicas: 40 calls at once pass it by at most one call’s reservation', async () => {
    // 400 bytes and a cap of 400: a reservation of about 820 tokens; each call uses 500.
    const body = {
      model: 'openai/gpt-4o-mini',
      max_tokens: 400,
      messages: [{ role: 'user', content: 'tokens '.repeat(57).slice(0, 400) }],
    };
    const headersOf = { ...headers, authorization: `Bearer ${TOKENS_VK}` };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${replicas[i % 2]!.url}/v1/chat/completions`, { method: 'POST', headers: headersOf, body: JSON.stringify(body) }).then(
          (r) => r.status,
        ),
      ),
    );
    const served = results.filter((s) => s === 200).length;
    assert.equal(served + results.filter((s) => s === 429).length, 40, results.join(','));
    let used = 0;
    for (const r of replicas) {
      const [row] = await r.query<{ n: number }>(
        "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS n FROM requests WHERE key_id = 'tokens'",
      );
      used += Number(row!.n);
    }
    assert.ok(used <= 1000 + 900, `${used} tokens used by ${served} calls against a limit of 1000`);
  });
});

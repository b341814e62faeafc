// /metrics over a real gateway: counters move with traffic, and made-up model names collapse
// into "other" instead of creating new series.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';

const VK = 'vk-metrics-test-0001';
let mock: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({ config: { providers: mockProviders(mock), virtualKeys: [{ id: 'metrics-key', key: VK, models: ['*'] }] } });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await mock.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`${gw.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** Sum of the samples of `name` whose labels contain every `k="v"` in `labels`. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

// Process metrics (handles by type, GC kinds) are left out: their label sets follow the runtime, not traffic.
const seriesCount = (text: string) =>
  text.split('\n').filter((l) => l && !l.startsWith('#') && !/^tollgate_(process|nodejs)_/.test(l)).length;

describe('/metrics', () => {
  test("an LLM request counts under its surface's route (chat, Messages, Responses)", async () => {
    const before = await scrape();
    const post = (path: string, body: unknown) =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { 'x-bf-vk': VK, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const model = 'openai/gpt-4o-mini';
    assert.equal((await post('/v1/messages', { model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })).status, 200);
    assert.equal((await post('/v1/responses', { model, input: 'hi' })).status, 200);
    assert.equal((await post('/v1/responses', { model, input: 'hi again' })).status, 200);
    const after = await scrape();
    const moved = (route: string) =>
      value(after, 'tollgate_requests_total', { route, model: 'gpt-4o-mini' }) -
      value(before, 'tollgate_requests_total', { route, model: 'gpt-4o-mini' });
    assert.deepEqual([moved('/v1/chat/completions'), moved('/v1/messages'), moved('/v1/responses')], [0, 1, 2]);
  });

  test('is Prometheus text with tollgate_ names, no auth needed', async () => {
    const text = await scrape();
    assert.match(text, /# TYPE tollgate_requests_total counter/);
    assert.match(text, /# TYPE tollgate_ledger_queue_depth gauge/);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) assert.ok(line.startsWith('tollgate_'), line);
  });

  test('counters move with traffic', async () => {
    const before = await scrape();
    const labels = { provider: 'openai', model: 'gpt-4o-mini', status: '200' };
    for (let i = 0; i < 3; i++)
      await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `n${i}` }] });
    const denied = await new OpenAI({ apiKey: 'vk-unknown', baseURL: gw.baseURL, maxRetries: 0 }).models.list().catch((e: unknown) => e);
    assert.ok(denied instanceof OpenAI.AuthenticationError);
    await gw.gateway.ledger.flush();
    const after = await scrape();
    assert.equal(value(after, 'tollgate_requests_total', labels) - value(before, 'tollgate_requests_total', labels), 3);
    assert.equal(
      value(after, 'tollgate_request_duration_seconds_count', { model: 'gpt-4o-mini' }) -
        value(before, 'tollgate_request_duration_seconds_count', { model: 'gpt-4o-mini' }),
      3,
    );
    assert.equal(value(after, 'tollgate_llm_attempts_total', labels) - value(before, 'tollgate_llm_attempts_total', labels), 3);
    const chatRoute = { route: '/v1/chat/completions', method: 'POST', status: '200' };
    assert.equal(value(after, 'tollgate_http_requests_total', chatRoute) - value(before, 'tollgate_http_requests_total', chatRoute), 3);
    assert.equal(
      value(after, 'tollgate_http_requests_total', { route: '/v1/models', status: '401' }) -
        value(before, 'tollgate_http_requests_total', { route: '/v1/models', status: '401' }),
      1,
    );
    assert.ok(value(after, 'tollgate_ledger_rows_written_total') >= 6, 'ledger flushes are counted');
    assert.ok(value(after, 'tollgate_ledger_flush_duration_seconds_count') > 0);
  });

  test('a flood of random model names does not grow the series count', async () => {
    // Warm up: the first unconfigured model creates the "other" series (and the route/status ones).
    await client.chat.completions.create({ model: 'openai/random-warmup', messages: [{ role: 'user', content: 'x' }] });
    await fetch(`${gw.url}/v1/random-path-0`);
    await gw.gateway.ledger.flush();
    const before = await scrape();
    const otherBefore = value(before, 'tollgate_requests_total', { model: 'other' });
    for (let i = 0; i < 200; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          client.chat.completions.create({ model: `openai/random-${i + j}`, messages: [{ role: 'user', content: 'x' }] }),
        ),
      );
    }
    for (let i = 1; i <= 20; i++) await (await fetch(`${gw.url}/v1/random-path-${i}`)).body?.cancel();
    await gw.gateway.ledger.flush();
    const after = await scrape();
    assert.equal(value(after, 'tollgate_requests_total', { model: 'other' }) - otherBefore, 200);
    assert.ok(!after.includes('random-'), 'no request-supplied name reaches a label');
    assert.equal(seriesCount(after), seriesCount(before));
  });

  test('an upstream failure is labelled with its error code, the same code on both providers', async () => {
    const before = await scrape();
    const bad = (provider: string, model: string) =>
      client.chat.completions
        .create({ model: `${provider}/${model}`, messages: [{ role: 'user', content: 'x' }] }, { maxRetries: 0 })
        .catch((e: unknown) => e);
    // Each provider is configured with maxRetries 2: three attempts per request.
    for (const [provider, model] of [
      ['openai', 'gpt-4o-mini'],
      ['anthropic', 'claude-sonnet-4-5'],
    ] as const) {
      mock.enqueue(
        { kind: 'raw', status: 200, body: '{not json' },
        { kind: 'raw', status: 200, body: '' },
        { kind: 'raw', status: 200, body: '{' },
      );
      assert.ok((await bad(provider, model)) instanceof OpenAI.APIError);
      mock.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
      assert.ok((await bad(provider, model)) instanceof OpenAI.APIError);
    }
    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      value(after, 'tollgate_llm_attempts_total', labels) - value(before, 'tollgate_llm_attempts_total', labels);
    for (const provider of ['openai', 'anthropic']) {
      assert.equal(delta({ provider, error_type: 'upstream_malformed' }), 3, `${provider}: invalid JSON bodies`);
      assert.equal(delta({ provider, error_type: 'upstream_status' }), 3, `${provider}: 500s`);
      assert.equal(delta({ provider, error_type: 'other' }), 0, `${provider}: no failure is "other"`);
    }
  });
});

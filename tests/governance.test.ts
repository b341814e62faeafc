// Governance through the real HTTP path (issue 4): every error-table row it owns, budgets with
// reservation under concurrency, period reset with an injected clock, the admin API.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { offeredToolsOf, toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';

const ADMIN = 'admin-token-for-tests';
const keys = {
  main: 'vk-gov-main-000001',
  disabled: 'vk-gov-disabled-01',
  expired: 'vk-gov-expired-001',
  openaiOnly: 'vk-gov-openai-0001',
  tiny: 'vk-gov-tiny-budget',
  teamA: 'vk-gov-team-a-0001',
  teamB: 'vk-gov-team-b-0001',
  limited: 'vk-gov-limited-001',
  tokens: 'vk-gov-tokens-0001',
  daily: 'vk-gov-daily-00001',
};
// $0.001 per token in and out: a mock reply of 10 in + 5 out costs $0.015.
const PRICE = { inputPerMTok: 1000, outputPerMTok: 1000 };

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let clock = Date.UTC(2026, 0, 15, 12);

const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: gw.baseURL, maxRetries: 0 });
const hi = { model: 'openai/gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user' as const, content: 'hi' }] };
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected an error'),
    (e) => e as InstanceType<typeof OpenAI.APIError>,
  );

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    adminToken: ADMIN,
    now: () => clock,
    config: {
      providers: mockProviders(mock),
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      pricing: { 'openai/gpt-4o-mini': PRICE, 'anthropic/claude-sonnet-4-5': PRICE },
      toolCosts: { fix__add: 0.01 },
      customers: [{ id: 'acme', budget: { usd: 0.1, period: 'month' } }],
      teams: [
        { id: 'shared', customer: 'acme', budget: { usd: 0.05, period: 'month' } },
        { id: 'free', customer: 'acme' },
      ],
      virtualKeys: [
        { id: 'main', key: keys.main, models: ['*'], tools: { allow: ['fix__*'], deny: ['fix__fail'] } },
        { id: 'disabled', key: keys.disabled, disabled: true },
        { id: 'expired', key: keys.expired, expiresAt: '2020-01-01T00:00:00Z' },
        { id: 'openai-only', key: keys.openaiOnly, models: ['openai/gpt-4o*'] },
        { id: 'tiny', key: keys.tiny, models: ['*'], budget: { usd: 0.05, period: 'month' } },
        { id: 'team-a', key: keys.teamA, team: 'shared', models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'team-b', key: keys.teamB, team: 'shared', models: ['*'], tools: { allow: ['fix__*'] } },
        {
          id: 'limited',
          key: keys.limited,
          models: ['*'],
          rateLimit: { requests: 2, window: '1m' },
          tools: { allow: ['fix__*'] },
          toolLimits: [{ tool: 'fix__echo', calls: 1, window: '1m' }],
        },
        { id: 'tokens', key: keys.tokens, models: ['*'], rateLimit: { tokens: 20, window: '1m' } },
        { id: 'daily', key: keys.daily, team: 'free', models: ['*'], budget: { usd: 0.04, period: 'day' } },
      ],
    },
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

describe('keys', () => {
  test('missing key → 401 virtual_key_required; unknown → 401 virtual_key_not_found', async () => {
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(hi),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as any).error.type, 'virtual_key_required');
    const err = await errorOf(sdk('vk-does-not-exist').chat.completions.create(hi));
    assert.equal(err.status, 401);
    assert.equal((err.error as any).type, 'virtual_key_not_found');
  });

  test('x-bf-vk works as well as Authorization: Bearer', async () => {
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(hi),
      headers: { 'content-type': 'application/json', 'x-bf-vk': keys.main },
    });
    assert.equal(res.status, 200);
  });

  test('disabled or expired key → 403 virtual_key_blocked', async () => {
    for (const key of [keys.disabled, keys.expired]) {
      const err = await errorOf(sdk(key).chat.completions.create(hi));
      assert.equal(err.status, 403);
      assert.equal((err.error as any).type, 'virtual_key_blocked');
    }
    assert.equal(mock.requests.length, 0);
  });

  test('model and provider allow-lists → 403 model_blocked / provider_blocked', async () => {
    const client = sdk(keys.openaiOnly);
    const m = await errorOf(client.chat.completions.create({ ...hi, model: 'openai/o3' }));
    assert.equal((m.error as any).type, 'model_blocked');
    const p = await errorOf(client.chat.completions.create({ ...hi, model: 'anthropic/claude-sonnet-4-5' }));
    assert.equal((p.error as any).type, 'provider_blocked');
    const f = await errorOf(client.chat.completions.create({ ...hi, fallbacks: ['anthropic/claude-sonnet-4-5'] } as any));
    assert.equal(f.status, 403, 'fallbacks are checked too');
    assert.equal(mock.requests.length, 0);
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((d) => d.id),
      ['openai/gpt-4o-mini'],
      '/v1/models lists only what the key may use',
    );
  });
});

describe('tools', () => {
  test('a denied tool is neither offered nor run, even when the model names it', async () => {
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__fail', arguments: {} }] });
    mock.fallback = (body) => ({ kind: 'text', text: toolResultsOf(body)[0]?.content ?? '' });
    fixture.calls.length = 0;
    const res = await sdk(keys.main).chat.completions.create(hi);
    assert.ok(!offeredToolsOf(mock.requests[0]!.body).includes('fix__fail'));
    assert.ok(offeredToolsOf(mock.requests[0]!.body).includes('fix__add'));
    assert.match(res.choices[0]!.message.content!, /tool_denied/);
    assert.deepEqual(fixture.calls, [], 'the MCP server never saw the call');
    const rows = await gw.query<any>("SELECT decision, reason, status FROM tool_calls WHERE name = 'fix__fail'");
    assert.deepEqual(rows, [{ decision: 'denied', reason: 'tool_denied', status: 'denied' }]);
  });

  test('per-tool call limit: the second call in the window is refused to the model', async () => {
    mock.enqueue({
      kind: 'tool_calls',
      calls: [
        { name: 'fix__echo', arguments: { text: 'a' } },
        { name: 'fix__echo', arguments: { text: 'b' } },
      ],
    });
    mock.fallback = () => ({ kind: 'text', text: 'ok' });
    await sdk(keys.limited).chat.completions.create(hi);
    const results = toolResultsOf(mock.requests[1]!.body)
      .map((r) => r.content)
      .sort();
    assert.equal(results.filter((r) => r === 'a' || r === 'b').length, 1);
    assert.equal(results.filter((r) => /tool_rate_limited/.test(r)).length, 1);
  });
});

describe('rate limits', () => {
  test('requests per window → 429 rate_limited with Retry-After', async () => {
    // 'limited' already made one request above; one more fits, the next does not.
    await sdk(keys.limited).chat.completions.create(hi);
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(hi),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.limited}` },
    });
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as any).error.type, 'rate_limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After ${retryAfter} is at most two windows (sliding window counter)`);
  });

  test('tokens per window: a key over its token limit is refused until the window frees it', async () => {
    const client = sdk(keys.tokens);
    await client.chat.completions.create(hi); // 15 tokens
    await client.chat.completions.create(hi); // 30 tokens: over the limit of 20 from now on
    const err = await errorOf(client.chat.completions.create(hi));
    assert.equal(err.status, 429);
    clock += 2 * 60_000;
    await client.chat.completions.create(hi);
  });
});

describe('budgets', () => {
  test('key budget: 402 budget_exceeded naming the key once spend reaches it', async () => {
    const client = sdk(keys.tiny);
    // Each call costs $0.015 and reserves its worst case, $0.027 (22 prompt tokens at most + 5 out):
    // two fit in $0.05, a third's worst case does not.
    for (let i = 0; i < 2; i++) await client.chat.completions.create(hi);
    const err = await errorOf(client.chat.completions.create(hi));
    assert.equal(err.status, 402);
    assert.equal((err.error as any).type, 'budget_exceeded');
    assert.match(err.message, /virtual key tiny/);
    const [row] = await gw.query<any>("SELECT sum(cost_usd) AS spent FROM requests WHERE key_id = 'tiny'");
    assert.ok(row.spent <= 0.05 + 1e-9);
  });

  test('a shared team budget holds under concurrent streaming and tool-loop requests', async () => {
    mock.fallback = (body) =>
      toolResultsOf(body).length === 0 && body.tools?.length
        ? { kind: 'tool_calls', calls: [{ name: 'fix__add', arguments: { a: 1, b: 2 } }], usage: { input: 3, output: 2 } }
        : { kind: 'text', text: 'done', usage: { input: 3, output: 2 } };
    const jobs = Array.from({ length: 24 }, (_, i) => {
      const client = sdk(i % 2 ? keys.teamA : keys.teamB);
      const withTools = i % 3 === 0;
      const req = { ...hi, stream: i % 4 === 1, ...(withTools ? {} : { tools: undefined }) };
      const headers = withTools ? {} : { 'x-tollgate-tools': 'none' };
      return client.chat.completions.create(req as any, { headers }).then(
        async (r: any) => {
          if (r && typeof r[Symbol.asyncIterator] === 'function') for await (const _ of r);
          return 'ok';
        },
        (e: any) => (e.status === 402 ? '402' : `unexpected ${e.status} ${e.message}`),
      );
    });
    const outcomes = await Promise.all(jobs);
    assert.ok(
      outcomes.every((o) => o === 'ok' || o === '402'),
      outcomes.join(','),
    );
    assert.ok(outcomes.includes('402'), 'the budget fits only some of the requests');
    assert.ok(outcomes.includes('ok'));
    const [row] = await gw.query<any>("SELECT sum(cost_usd) AS spent FROM requests WHERE team_id = 'shared'");
    assert.ok(row.spent <= 0.05 + 1e-9, `team spend ${row.spent} stays within $0.05`);
    const [cust] = await gw.query<any>("SELECT sum(cost_usd) AS spent FROM requests WHERE customer_id = 'acme'");
    assert.ok(cust.spent <= 0.1 + 1e-9);
  });

  test('a daily budget resets at the UTC day boundary (injected clock)', async () => {
    const client = sdk(keys.daily);
    await client.chat.completions.create(hi);
    const err = await errorOf(client.chat.completions.create(hi));
    assert.equal(err.status, 402);
    assert.match(err.message, /day/);
    clock = Date.UTC(2026, 0, 16, 0, 0, 1);
    const res = await client.chat.completions.create(hi);
    assert.equal(res.choices[0]!.message.content, 'echo: hi');
  });
});

describe('admin API', () => {
  const api = (path: string, init: RequestInit = {}, token: string | null = ADMIN) =>
    fetch(`${gw.url}/api${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  test('refuses without the admin token', async () => {
    assert.equal((await api('/virtual-keys', {}, null)).status, 401);
    assert.equal((await api('/virtual-keys', {}, 'wrong')).status, 401);
  });

  test('create a key (secret shown once), use it, list without secrets, disable, delete', async () => {
    const created = await api('/virtual-keys', {
      method: 'POST',
      body: JSON.stringify({ id: 'made-by-api', models: ['openai/*'], budget: { usd: 5, period: 'week' } }),
    });
    assert.equal(created.status, 201);
    const body = (await created.json()) as any;
    assert.ok(typeof body.key === 'string' && body.key.length > 20);
    const res = await sdk(body.key).chat.completions.create(hi);
    assert.equal(res.choices[0]!.message.content, 'echo: hi');

    const list = await (await api('/virtual-keys')).text();
    assert.ok(!list.includes(body.key), 'secrets are never listed');
    assert.ok(list.includes('made-by-api'));

    const patched = await api('/virtual-keys/made-by-api', { method: 'PATCH', body: JSON.stringify({ disabled: true }) });
    assert.equal(patched.status, 200);
    assert.equal((await errorOf(sdk(body.key).chat.completions.create(hi))).status, 403);

    const usage = (await (await api('/usage?key=made-by-api')).json()) as any;
    assert.ok(JSON.stringify(usage).includes('0.015'), JSON.stringify(usage));

    assert.equal((await api('/virtual-keys/made-by-api', { method: 'DELETE' })).status, 200);
    assert.equal((await errorOf(sdk(body.key).chat.completions.create(hi))).status, 401);
    assert.equal((await api('/virtual-keys/made-by-api')).status, 404);
  });

  test('validation errors name the field', async () => {
    const res = await api('/virtual-keys', { method: 'POST', body: JSON.stringify({ id: 'bad id!', budget: { usd: -1 } }) });
    assert.equal(res.status, 400);
    const body = (await res.json()) as any;
    assert.equal(body.error.type, 'invalid_request_error');
    assert.ok(body.error.param);
  });
});

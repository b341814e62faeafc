// The ledger through real traffic (issue 5): rows for requests, LLM attempts and tool calls that
// add up, truthful records of failures, retries and fallbacks, the views, unknown prices, payloads,
// and no lost rows when the process is stopped under load.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';
import { toolResultsOf } from './helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from './fixtures/mcp-http-server.js';
import { startGatewayProcess } from './helpers/gateway-process.js';
import { waitFor } from './helpers/wait-for.js';

const VK = 'vk-ledger-test-001';
const VK_POLLER = 'vk-ledger-test-poller';
const PRICE = { inputPerMTok: 2, outputPerMTok: 8 };
let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
let client: OpenAI;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    config: {
      providers: { ...mockProviders(mock), unpriced: { type: 'openai', baseUrl: mock.openaiBaseUrl, maxRetries: 0 } },
      mcpServers: { fix: { transport: 'http', url: fixture.url } },
      pricing: { 'openai/gpt-4o-mini': PRICE, 'anthropic/claude-sonnet-4-5': PRICE },
      toolCosts: { fix__add: 0.25 },
      teams: [{ id: 'eng' }, { id: 'poll' }],
      virtualKeys: [
        { id: 'ledger', key: VK, team: 'eng', models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'poller', key: VK_POLLER, team: 'poll', models: ['*'] },
      ],
      ledger: { payloads: true },
    },
  });
  client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const cost = (input: number, output: number) => (input * PRICE.inputPerMTok + output * PRICE.outputPerMTok) / 1e6;

describe('rows', () => {
  test('surface and agent session: chat requests record surface chat and the session header; cost_by_session sums them', async () => {
    const session = `sess-${Date.now()}`;
    const withSession = new OpenAI({
      apiKey: VK,
      baseURL: gw.baseURL,
      maxRetries: 0,
      defaultHeaders: { 'x-claude-code-session-id': session },
    });
    mock.fallback = () => ({ kind: 'text', text: 'hi', usage: { input: 10, output: 5 } });
    await withSession.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'a' }] });
    await withSession.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'b' }] });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'no session' }] });
    const rows = await gw.query<any>('SELECT surface, session_id FROM requests WHERE session_id = ?', session);
    assert.deepEqual(rows, [
      { surface: 'chat', session_id: session },
      { surface: 'chat', session_id: session },
    ]);
    const [bySession] = await gw.query<any>('SELECT * FROM cost_by_session WHERE session_id = ?', session);
    assert.equal(bySession.requests, 2);
    assert.equal(bySession.key_id, 'ledger');
    assert.equal(bySession.surface, 'chat');
    assert.equal(bySession.cost_usd, 2 * cost(10, 5));
  });

  test('a streamed chat request: the usage chunk, its llm_calls row and its requests row carry the usage and the cost', async () => {
    mock.enqueue({ kind: 'text', text: 'streamed', usage: { input: 12, output: 6 } });
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'openai/gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'a' }],
      })
      .withResponse();
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    assert.deepEqual(
      [chunks.at(-1)?.usage?.prompt_tokens, chunks.at(-1)?.usage?.completion_tokens],
      [12, 6],
      'the usage chunk is the round just charged',
    );
    const id = response.headers.get('x-request-id');
    const calls = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM llm_calls WHERE request_id = ?', id);
    assert.deepEqual(calls, [{ status: 200, prompt_tokens: 12, completion_tokens: 6, cost_usd: cost(12, 6) }]);
    const [req] = await gw.query<any>('SELECT status, prompt_tokens, completion_tokens, cost_usd FROM requests WHERE id = ?', id);
    assert.deepEqual(req, { status: 200, prompt_tokens: 12, completion_tokens: 6, cost_usd: cost(12, 6) });
  });

  test('a two-round tool loop: 1 request, 2 llm_calls, its tool_calls; parent = sum of children', async () => {
    mock.enqueue({
      kind: 'tool_calls',
      calls: [
        { name: 'fix__add', arguments: { a: 1, b: 2 } },
        { name: 'fix__echo', arguments: { text: 'x' } },
      ],
      usage: { input: 100, output: 20 },
    });
    mock.fallback = () => ({ kind: 'text', text: 'three', usage: { input: 150, output: 10 } });
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'add' }] });
    const id = (res as any).tollgate.request_id as string;
    const [req] = await gw.query<any>('SELECT * FROM requests WHERE id = ?', id);
    const llm = await gw.query<any>('SELECT * FROM llm_calls WHERE request_id = ? ORDER BY round', id);
    const tools = await gw.query<any>('SELECT * FROM tool_calls WHERE request_id = ? ORDER BY name', id);
    assert.equal(req.status, 200);
    assert.equal(req.key_id, 'ledger');
    assert.equal(req.team_id, 'eng');
    assert.equal(req.rounds, 2);
    assert.equal(req.tool_calls, 2);
    assert.deepEqual(
      llm.map((l) => [l.round, l.attempt, l.status, l.prompt_tokens, l.completion_tokens]),
      [
        [1, 1, 200, 100, 20],
        [2, 1, 200, 150, 10],
      ],
    );
    assert.deepEqual(
      tools.map((t) => [t.name, t.server, t.tool, t.status, t.decision, t.round, t.cost_usd]),
      [
        ['fix__add', 'fix', 'add', 'ok', 'allowed', 1, 0.25],
        ['fix__echo', 'fix', 'echo', 'ok', 'allowed', 1, 0],
      ],
    );
    assert.equal(req.prompt_tokens, 250);
    assert.equal(req.completion_tokens, 30);
    assert.ok(Math.abs(llm[0].cost_usd - cost(100, 20)) < 1e-12);
    const childSum = llm.reduce((s, l) => s + l.cost_usd, 0) + tools.reduce((s, t) => s + t.cost_usd, 0);
    assert.ok(Math.abs(req.cost_usd - childSum) < 1e-12, `${req.cost_usd} = ${childSum}`);
    assert.equal(req.cost_unknown, 0);
    assert.match(tools[0].args_hash, /^[0-9a-f]{64}$/);
  });

  test('a failed request: the request row and every attempt, truthfully', async () => {
    mock.fallback = () => ({ kind: 'error', status: 500, message: 'boom' });
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    const id = err.headers.get('x-request-id');
    const [req] = await gw.query<any>('SELECT status, error_type, rounds, cost_usd FROM requests WHERE id = ?', id);
    assert.deepEqual(req, { status: 502, error_type: 'upstream_status', rounds: 1, cost_usd: 0 });
    const llm = await gw.query<any>(
      'SELECT attempt, status, error_type, provider FROM llm_calls WHERE request_id = ? ORDER BY attempt',
      id,
    );
    assert.deepEqual(
      llm.map((l) => [l.attempt, l.status, l.provider]),
      [
        [1, 500, 'anthropic'],
        [2, 500, 'anthropic'],
        [3, 500, 'anthropic'],
      ],
    );
  });

  test('a retried then fallen-back request records each attempt with its provider', async () => {
    mock.fallback = (body) =>
      body.model === 'gpt-4o-mini'
        ? { kind: 'error', status: 503, message: 'down' }
        : { kind: 'text', text: 'ok', usage: { input: 10, output: 5 } };
    const res = await client.chat.completions
      .create({
        model: 'openai/gpt-4o-mini',
        fallbacks: ['anthropic/claude-sonnet-4-5'],
        messages: [{ role: 'user', content: 'x' }],
      } as any)
      .withResponse();
    const id = res.response.headers.get('x-request-id');
    const llm = await gw.query<any>('SELECT provider, attempt, status FROM llm_calls WHERE request_id = ? ORDER BY id', id);
    assert.deepEqual(
      llm.map((l) => [l.provider, l.attempt, l.status]),
      [
        ['openai', 1, 503],
        ['openai', 2, 503],
        ['openai', 3, 503],
        ['anthropic', 1, 200],
      ],
    );
    const [req] = await gw.query<any>('SELECT provider, upstream_model, status, cost_usd FROM requests WHERE id = ?', id);
    assert.deepEqual(req, { provider: 'anthropic', upstream_model: 'claude-sonnet-4-5', status: 200, cost_usd: cost(10, 5) });
  });

  test('an unknown price is recorded as NULL and flagged, never 0', async () => {
    const res = await client.chat.completions
      .create({ model: 'unpriced/some-model', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    const id = res.response.headers.get('x-request-id');
    const [req] = await gw.query<any>('SELECT cost_usd, cost_unknown FROM requests WHERE id = ?', id);
    assert.deepEqual(req, { cost_usd: null, cost_unknown: 1 });
    const [llm] = await gw.query<any>('SELECT cost_usd, cost_unknown FROM llm_calls WHERE request_id = ?', id);
    assert.deepEqual(llm, { cost_usd: null, cost_unknown: 1 });
  });

  test('payloads are stored when enabled; secrets never land in any table', async () => {
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__echo', arguments: { text: 'payload me' } }] });
    mock.fallback = (body) => ({ kind: 'text', text: toolResultsOf(body)[0]?.content ?? '' });
    const res = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'remember this prompt' }] })
      .withResponse();
    const id = res.response.headers.get('x-request-id');
    const kinds = await gw.query<any>('SELECT kind FROM payloads WHERE request_id = ? ORDER BY kind', id);
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['request', 'response', 'tool_args', 'tool_result'],
    );
    const [prompt] = await gw.query<any>("SELECT body FROM payloads WHERE request_id = ? AND kind = 'request'", id);
    assert.match(prompt.body, /remember this prompt/);
    for (const name of await gw.tables()) {
      const dump = JSON.stringify(await gw.query(`SELECT * FROM "${name}"`));
      for (const secret of [VK, 'sk-test-openai-secret', 'sk-ant-test-secret'])
        assert.ok(!dump.includes(secret), `${secret} found in ${name}`);
    }
  });
});

describe('views', () => {
  test('cost_by_key_day, cost_by_team_month, cost_by_model_day and tool_usage_day agree with the rows', async () => {
    const [byKey] = await gw.query<any>("SELECT * FROM cost_by_key_day WHERE key_id = 'ledger'");
    const [sums] = await gw.query<any>(
      "SELECT count(*) AS n, sum(cost_usd) AS cost, sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown FROM requests WHERE key_id = 'ledger'",
    );
    assert.equal(byKey.requests, sums.n);
    assert.ok(Math.abs(byKey.cost_usd - sums.cost) < 1e-12);
    assert.equal(byKey.unknown_cost_requests, sums.unknown);
    assert.equal(byKey.day, new Date().toISOString().slice(0, 10));

    const [team] = await gw.query<any>("SELECT * FROM cost_by_team_month WHERE team_id = 'eng'");
    assert.equal(team.requests, sums.n);
    assert.equal(team.month, new Date().toISOString().slice(0, 7));

    const models = await gw.query<any>("SELECT provider, model, llm_calls, errors FROM cost_by_model_day WHERE provider = 'anthropic'");
    assert.deepEqual(models, [{ provider: 'anthropic', model: 'claude-sonnet-4-5', llm_calls: 4, errors: 3 }]);

    const tools = await gw.query<any>("SELECT name, calls, errors, denials, cost_usd FROM tool_usage_day WHERE name = 'fix__add'");
    assert.deepEqual(tools, [{ name: 'fix__add', calls: 1, errors: 0, denials: 0, cost_usd: 0.25 }]);
  });
  test('cost_by_key_day, cost_by_team_month and cost_by_session count model calls only, not polls of a stored response', async () => {
    // An agent polling a background response (GET /v1/responses/{id}) writes a row per poll
    // (operation retrieve; here 404s: no such id); the views count the one model call.
    const session = `poll-${Date.now()}`;
    const headers = { authorization: `Bearer ${VK_POLLER}`, 'x-claude-code-session-id': session };
    mock.fallback = () => ({ kind: 'text', text: 'hi', usage: { input: 10, output: 5 } });
    const call = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'start' }] }),
    });
    assert.equal(call.status, 200);
    for (let i = 0; i < 3; i++) {
      const poll = await fetch(`${gw.baseURL}/responses/resp_poll_${i}`, { headers });
      assert.equal(poll.status, 404);
      await poll.arrayBuffer();
    }
    const rows = await gw.query<any>("SELECT operation, status FROM requests WHERE key_id = 'poller' ORDER BY ts, operation");
    assert.deepEqual(
      rows.map((r) => [r.operation, r.status]),
      [
        ['call', 200],
        ['retrieve', 404],
        ['retrieve', 404],
        ['retrieve', 404],
      ],
    );
    const figures = (r: any) => ({ requests: r.requests, errors: r.errors, cost_usd: r.cost_usd });
    const expected = { requests: 1, errors: 0, cost_usd: cost(10, 5) };
    const byKey = await gw.query<any>("SELECT * FROM cost_by_key_day WHERE key_id = 'poller'");
    assert.deepEqual(byKey.map(figures), [expected]);
    const byTeam = await gw.query<any>("SELECT * FROM cost_by_team_month WHERE team_id = 'poll'");
    assert.deepEqual(byTeam.map(figures), [expected]);
    // cost_by_session groups by surface: the polls' surface (responses) has a row counting none.
    const bySession = await gw.query<any>('SELECT * FROM cost_by_session WHERE session_id = ? ORDER BY surface', session);
    assert.deepEqual(
      bySession.map((r) => ({ surface: r.surface, ...figures(r) })),
      [
        { surface: 'chat', ...expected },
        { surface: 'responses', requests: 0, errors: 0, cost_usd: 0 },
      ],
    );
    // No model was asked: no llm_calls row, so cost_by_model_day has nothing of the polls.
    const models = await gw.query<any>(
      "SELECT count(*) AS n FROM llm_calls WHERE request_id IN (SELECT id FROM requests WHERE key_id = 'poller')",
    );
    assert.equal(models[0].n, 1);
  });
});

describe('durability', () => {
  test('SIGTERM under load: in-flight requests finish, new ones get 503, rows = responses (the 503 too)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sigterm-'));
    const configPath = join(dir, 'config.json');
    const dbPath = join(dir, 'ledger.db');
    writeFileSync(
      configPath,
      JSON.stringify({
        providers: mockProviders(mock),
        virtualKeys: [{ id: 'load', key: VK, models: ['*'] }],
        ledger: { flushIntervalMs: 5000 },
      }),
    );
    // Held long enough that the late request below surely arrives while they are in flight (the
    // listener closes once they finish): 150 ms was once too short on a loaded machine.
    mock.fallback = () => ({ kind: 'text', text: 'slow answer', delayMs: 2500 });
    const gateway = await startGatewayProcess(configPath, {
      // On PostgreSQL (tests/ledger-pg.test.ts) the child writes to the same database as gw.
      env: { TOLLGATE_DB: process.env.TOLLGATE_TEST_DB_URL ?? dbPath },
      logLevel: 'info',
    });
    try {
      const url = gateway.url;
      const send = () =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
        })
          .then(async (r) => ({ status: r.status, id: r.headers.get('x-request-id'), body: await r.text() }))
          .catch(() => ({ status: 0, id: null, body: '' }));
      const inflight = Array.from({ length: 40 }, send);
      // SIGTERM once every request is inside the gateway (the mock holds each answer for 2.5 s).
      await waitFor(() => mock.requests.length === 40, 10_000, 'all 40 requests to reach the upstream', 5);
      const exitCode = gateway.stop();
      await gateway.printed('draining');
      const late = await send();
      const responses = await Promise.all(inflight);
      assert.equal(await exitCode, 0);
      assert.equal(late.status, 503, 'a request after SIGTERM gets a clear 503 while in-flight ones finish');
      assert.match(late.body, /service_unavailable/);
      const ok = responses.filter((r) => r.status === 200);
      assert.equal(ok.length, 40, 'every in-flight request finished');
      let rows: { id: string; status: number }[];
      if (process.env.TOLLGATE_TEST_DB_URL) {
        rows = await gw.query("SELECT id, status FROM requests WHERE key_id = 'load'");
      } else {
        const db = new Database(dbPath, { readonly: true });
        rows = db.prepare('SELECT id, status FROM requests').all() as { id: string; status: number }[];
        db.close();
      }
      // The 503 answered while draining is a response sent too: its row is written before the ledger closes.
      assert.equal(rows.length, ok.length + 1, 'one ledger row per response sent');
      const ids = new Set(rows.map((r) => r.id));
      assert.ok(ok.every((r) => ids.has(r.id!)));
      assert.deepEqual(
        rows.filter((r) => r.id === late.id).map((r) => r.status),
        [503],
        "the drain's 503 has its row, under its x-request-id",
      );
    } finally {
      await gateway.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

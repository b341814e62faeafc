// Secrets (issue 9): after a run that exercises success, tool loops with payloads, upstream
// failures (including an upstream that echoes our provider key back), bad keys and the admin API,
// no known secret appears in any ledger table, the logs, /metrics or any error message. The admin
// token guards /api and /logs. (Whether a wrong key is refused as fast as an unknown one is a
// timing question: `npx tsx bench/key-timing.ts`, not a timed test.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { toolResultsOf } from '../helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';

const OPENAI_KEY = 'sk-live-openai-SECRET-7f3a9c';
const ANTHROPIC_KEY = 'sk-ant-live-SECRET-b81d20';
const VK = 'vk-secret-main-SECRET-55aa01';
const VK_OTHER = 'vk-secret-other-SECRET-66bb02';
const ADMIN = 'admin-SECRET-token-99cc03';
const MCP_HEADER = 'Bearer mcp-upstream-SECRET-11dd04';
let created = ''; // the secret of a key made through the admin API (shown once, in that response only)
const secrets = () => [
  OPENAI_KEY,
  ANTHROPIC_KEY,
  VK,
  VK_OTHER,
  ADMIN,
  MCP_HEADER,
  'mcp-upstream-SECRET-11dd04',
  ...(created ? [created] : []),
];

let mock: MockUpstream;
let fixture: McpHttpServer;
let gw: TestGateway;
/** Every response body the run produced, except the one that legitimately shows a new key. */
const bodies: string[] = [];

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  gw = await startGateway({
    adminToken: ADMIN,
    env: { OPENAI_KEY, ANTHROPIC_KEY, VK, VK_OTHER, MCP_HEADER },
    config: {
      providers: {
        openai: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: '${OPENAI_KEY}' }], models: ['gpt-4o-mini'], maxRetries: 0 },
        anthropic: {
          type: 'anthropic',
          baseUrl: mock.anthropicBaseUrl,
          keys: [{ value: '${ANTHROPIC_KEY}' }],
          models: ['claude-sonnet-4-5'],
          maxRetries: 0,
        },
      },
      mcpServers: { fix: { transport: 'http', url: fixture.url, headers: { authorization: '${MCP_HEADER}' } } },
      virtualKeys: [
        { id: 'main', key: '${VK}', models: ['*'], tools: { allow: ['fix__*'] } },
        { id: 'other', key: '${VK_OTHER}', models: ['openai/*'] },
      ],
      ledger: { payloads: true },
    },
  });
});
after(async () => {
  await gw.close();
  await fixture.close();
  await mock.close();
});

async function call(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  const res = await fetch(`${gw.url}${path}`, init);
  bodies.push(`${res.status} ${path}: ${await res.clone().text()}`);
  return res;
}
const chat = (auth: Record<string, string>, body: Record<string, unknown>) =>
  call('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

describe('secrets', () => {
  test('a run with every kind of traffic leaves no secret in the ledger, logs, /metrics or error messages', async () => {
    // Success, a tool loop (payloads on), streaming.
    mock.enqueue({ kind: 'tool_calls', calls: [{ name: 'fix__echo', arguments: { text: 'tool text' } }] });
    mock.fallback = (b) => ({ kind: 'text', text: `ok ${toolResultsOf(b)[0]?.content ?? ''}` });
    assert.equal((await chat({ authorization: `Bearer ${VK}` }, { model: 'openai/gpt-4o-mini' })).status, 200);
    assert.equal((await chat({ 'x-bf-vk': VK }, { model: 'anthropic/claude-sonnet-4-5', stream: true })).status, 200);
    // Upstreams that fail — one of them echoing the credential it was sent, as some do.
    mock.enqueue({ kind: 'error', status: 401, message: `Incorrect API key provided: ${OPENAI_KEY}` });
    const echoed = await chat({ authorization: `Bearer ${VK}` }, { model: 'openai/gpt-4o-mini' });
    assert.equal(echoed.status, 502);
    mock.enqueue({ kind: 'error', status: 403, message: `key ${ANTHROPIC_KEY} is not allowed` });
    assert.equal((await chat({ authorization: `Bearer ${VK}` }, { model: 'anthropic/claude-sonnet-4-5' })).status, 502);
    mock.enqueue({ kind: 'error', status: 500, message: 'boom' });
    await chat({ authorization: `Bearer ${VK}` }, { model: 'openai/gpt-4o-mini', stream: true });
    // Keys that are wrong, unknown, blocked for the model, or somebody else's secret in the wrong place.
    assert.equal((await chat({ authorization: `Bearer ${VK}x` }, { model: 'openai/gpt-4o-mini' })).status, 401);
    assert.equal((await chat({ authorization: `Bearer ${ADMIN}` }, { model: 'openai/gpt-4o-mini' })).status, 401);
    assert.equal((await chat({ 'x-bf-vk': OPENAI_KEY }, { model: 'openai/gpt-4o-mini' })).status, 401);
    assert.equal((await chat({ authorization: `Bearer ${VK_OTHER}` }, { model: 'anthropic/claude-sonnet-4-5' })).status, 403);
    assert.equal((await chat({ authorization: `Bearer ${VK}` }, { model: 42 })).status, 400);
    assert.equal(
      (await call('/v1/models', { headers: { authorization: `Basic ${Buffer.from(`u:${VK}`).toString('base64')}` } })).status,
      401,
    );
    // The admin API: refused with a wrong token, then a key created, listed and read.
    assert.equal((await call('/api/virtual-keys', { headers: { authorization: `Bearer ${VK}` } })).status, 401);
    const made = await fetch(`${gw.url}/api/virtual-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'made', models: ['*'] }),
    });
    assert.equal(made.status, 201);
    created = ((await made.json()) as { key: string }).key;
    assert.ok(created.length >= 16);
    assert.equal((await chat({ authorization: `Bearer ${created}` }, { model: 'openai/gpt-4o-mini' })).status, 200);
    assert.equal((await call('/api/virtual-keys', { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
    assert.equal((await call('/api/virtual-keys/main', { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
    assert.equal((await call('/api/mcp-servers', { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
    assert.equal((await call('/logs', { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
    const metrics = await call('/metrics');
    assert.equal(metrics.status, 200);

    // The upstream's echo of our key did not reach the client (the status and reason did).
    const echoedBody = bodies.find((b) => b.includes('upstream_auth_failed')) ?? '';
    assert.match(echoedBody, /401/);

    const places: [string, string][] = [
      ['responses', bodies.join('\n')],
      ['logs', gw.logs.join('\n')],
      ['/metrics', await metrics.text()],
    ];
    await gw.gateway.ledger.flush();
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      assert.ok(tables.some((t) => t.name === 'payloads'));
      for (const { name } of tables) places.push([`table ${name}`, JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())]);
      const [hashes] = db.prepare('SELECT count(*) AS n FROM virtual_keys').all() as { n: number }[];
      assert.ok(hashes!.n >= 1, 'the API-made key is stored (hashed)');
    } finally {
      db.close();
    }
    // The database file as bytes too: nothing hiding in free pages or the WAL.
    places.push(['db file', readFileSync(gw.dbPath).toString('latin1')]);
    for (const [where, text] of places) {
      for (const secret of secrets()) assert.ok(!text.includes(secret), `${secret} found in ${where}`);
    }
    assert.ok(bodies.length > 15);
  });

  test('the admin token is required for /api and /logs; wrong, empty and look-alike tokens are refused', async () => {
    const wrong = [
      '',
      'Bearer ',
      `Bearer ${ADMIN.slice(0, -1)}`,
      `Bearer ${ADMIN}x`,
      `Bearer ${ADMIN.toUpperCase()}`,
      `Basic ${ADMIN}`,
      `Bearer ${VK}`,
      ADMIN,
    ];
    for (const path of [
      '/api/virtual-keys',
      '/api/teams',
      '/api/customers',
      '/api/usage',
      '/api/mcp-servers',
      '/logs',
      '/logs/usage',
      '/logs/mcp',
    ]) {
      for (const auth of wrong) {
        const res = await fetch(`${gw.url}${path}`, { headers: auth ? { authorization: auth } : {} });
        assert.equal(res.status, 401, `${path} with "${auth}"`);
        const body = await res.text();
        if (path.startsWith('/api')) assert.equal(JSON.parse(body).error.type, 'authentication_error');
        assert.ok(!body.includes(ADMIN));
      }
      assert.equal((await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200, path);
    }
    // A forged dashboard cookie is not a session.
    assert.equal((await fetch(`${gw.url}/logs`, { headers: { cookie: 'tollgate_session=forged' } })).status, 401);
  });

  test('the admin token and virtual keys are compared in constant time (code review, pinned)', () => {
    // Hashing both sides before timingSafeEqual makes length and content invisible to timing;
    // virtual keys are looked up by their sha256, so no comparison runs on the secret itself.
    const src = (p: string) => readFileSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), 'utf8');
    assert.match(src('src/routes/admin/auth.ts'), /timingSafeEqual\(digest\(presented\), expected\)/);
    assert.match(src('src/dashboard/session.ts'), /timingSafeEqual/);
    assert.match(src('src/governance/keys.ts'), /createHash\('sha256'\)/);
  });
});

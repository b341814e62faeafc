// The /logs dashboard over a real gateway: who may see it (token, cookie, nothing), what the
// cookie looks like, and that pages show real ledger data, escaped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';

const ADMIN = 'admin-token-dashboard-test';
const VK = 'vk-dashboard-test-0001';
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: { providers: mockProviders(mock), virtualKeys: [{ id: 'dash-key', key: VK, models: ['*'] }] },
    adminToken: ADMIN,
  });
});
after(async () => {
  await gw.close();
  await mock.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers, redirect: 'manual' });
async function login(token: string): Promise<Response> {
  return fetch(`${gw.url}/logs/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
}
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

describe('dashboard access', () => {
  test('/logs pages and /api refuse without the token', async () => {
    for (const path of ['/logs', '/logs/usage', '/logs/mcp', '/logs/requests/x', '/api/virtual-keys', '/api/mcp-servers', '/api/usage']) {
      const res = await get(path);
      assert.equal(res.status, 401, path);
      await res.body?.cancel();
    }
    const page = await (await get('/logs')).text();
    assert.match(page, /<form method="post" action="\/logs\/login"/);
    assert.ok(!page.includes('dash-key'));
  });

  test('a wrong token or a forged cookie is refused', async () => {
    assert.equal((await get('/logs', { authorization: 'Bearer nope' })).status, 401);
    assert.equal((await get('/logs', { cookie: `tollgate_session=${ADMIN}` })).status, 401);
    const res = await login('wrong');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('set-cookie'), null);
    assert.match(await res.text(), /not valid/);
  });

  test('Bearer admin token works for scripts', async () => {
    const res = await get('/logs', { authorization: `Bearer ${ADMIN}` });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(await res.text(), /<h1>Requests<\/h1>/);
  });

  test('login sets an HttpOnly, SameSite=Strict cookie that is not the token; logout clears it', async () => {
    const res = await login(ADMIN);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/logs');
    const setCookie = res.headers.get('set-cookie')!;
    assert.match(setCookie, /^tollgate_session=/);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.match(setCookie, /Path=\/logs/);
    assert.ok(!setCookie.includes(ADMIN));
    const cookie = cookieOf(res);
    assert.equal((await get('/logs/usage', { cookie })).status, 200);

    // Each login is its own session.
    assert.notEqual(cookieOf(await login(ADMIN)), cookie);

    const out = await fetch(`${gw.url}/logs/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie')!, /tollgate_session=;.*Max-Age=0/i);
    // Revoked on the server: a copy of the cookie kept after logout no longer opens anything.
    assert.equal((await get('/logs/usage', { cookie })).status, 401);
    // The session cookie does not open the admin API: that stays Bearer-only.
    assert.equal((await get('/api/virtual-keys', { cookie })).status, 401);
  });

  test('no admin token configured: the dashboard says it is disabled', async () => {
    const off = await startGateway({ config: { providers: mockProviders(mock) } });
    try {
      const res = await fetch(`${off.url}/logs`);
      assert.equal(res.status, 401);
      assert.match(await res.text(), /dashboard is disabled/);
      assert.equal((await fetch(`${off.url}/logs`, { headers: { authorization: 'Bearer ' } })).status, 401);
      assert.equal((await fetch(`${off.url}/logs/login`, { method: 'POST', body: new URLSearchParams({ token: '' }) })).status, 401);
    } finally {
      await off.close();
    }
  });
});

describe('dashboard pages', () => {
  const auth = { authorization: `Bearer ${ADMIN}` };
  let ok: string;
  let evil: string;

  before(async () => {
    const client = new OpenAI({ apiKey: VK, baseURL: gw.baseURL, maxRetries: 0 });
    mock.enqueue({ kind: 'text', text: 'fine', usage: { input: 11, output: 5 } });
    const a = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    ok = a.response.headers.get('x-request-id')!;
    const b = await client.chat.completions
      .create({ model: 'openai/<script>alert(1)</script>', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    evil = b.response.headers.get('x-request-id')!;
    await gw.gateway.ledger.flush();
  });

  test('the list shows requests newest first, escaped, with unknown prices flagged', async () => {
    const page = await (await get('/logs', auth)).text();
    const iOk = page.indexOf(`data-request-id="${ok}"`);
    const iEvil = page.indexOf(`data-request-id="${evil}"`);
    assert.ok(iOk > 0 && iEvil > 0 && iEvil < iOk, 'newest first');
    assert.ok(!page.includes('<script>'), 'user data is escaped');
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    // No price for the made-up model: flagged as unknown, not $0.
    const evilRow = page.slice(iEvil, page.indexOf('</tr>', iEvil));
    assert.match(evilRow, /class="unknown"/);
  });

  test('filters narrow the list', async () => {
    const byId = await (await get(`/logs?q=${ok.slice(0, 13)}`, auth)).text();
    assert.ok(byId.includes(ok) && !byId.includes(evil));
    const byModel = await (await get(`/logs?model=${encodeURIComponent('openai/gpt-4o-mini')}`, auth)).text();
    assert.ok(byModel.includes(ok) && !byModel.includes(evil));
    const none = await (await get('/logs?key=nobody', auth)).text();
    assert.match(none, /No requests match/);
  });

  test('the detail page shows the round with provider, model, tokens', async () => {
    const res = await get(`/logs/requests/${ok}`, auth);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /Round 1/);
    assert.match(page, /LLM · openai \/ gpt-4o-mini · attempt 1/);
    assert.match(page, /tokens 11 \/ 5/);
    assert.equal((await get('/logs/requests/does-not-exist', auth)).status, 404);
  });

  test('usage and MCP pages render', async () => {
    const usage = await (await get('/logs/usage?days=7', auth)).text();
    assert.match(usage, /<svg class="chart"/);
    assert.match(usage, /dash-key/);
    assert.match(usage, /unknown/);
    const mcp = await (await get('/logs/mcp', auth)).text();
    assert.match(mcp, /No MCP servers are configured/);
    const css = await get('/logs/assets/dashboard.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type')!, /text\/css/);
  });
});

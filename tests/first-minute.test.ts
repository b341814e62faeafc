// The README's first minute on a fresh clone: the example tollgate.config.json, no provider key,
// only the built-in demo provider. Its curl answers, the tool loop runs against the example MCP
// server, the ledger has the rows and /logs shows the request. The demo never reaches real models
// with the demo key, and NODE_ENV=production refuses a config that enables it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const DEMO_KEY = 'vk-demo-key';
const ADMIN = 'first-minute-admin';
// No provider keys and no engineering key, whatever the machine running the test has set.
const NO_SECRETS = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', VK_ENGINEERING_MAIN: '' };

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('first minute with the example config', () => {
  let dir: string;
  let gw: GatewayProcess;
  const chat = (body: unknown, key = DEMO_KEY) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-bf-vk': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-first-minute-'));
    gw = await startGatewayProcess('tollgate.config.json', {
      env: { ...NO_SECRETS, TOLLGATE_DB: join(dir, 'tollgate.db'), TOLLGATE_ADMIN_TOKEN: ADMIN },
    });
    await until('the example MCP server', async () => {
      const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as { mcp: { name: string; state: string }[] };
      return ready.mcp.some((m) => m.name === 'everything' && m.state === 'up');
    });
  });
  after(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('startup says the demo provider is on', () => {
    assert.match(gw.output(), /DEMO provider on \(demo\)/);
  });

  let requestId = '';
  test("the README's curl: the demo model calls the example server's tool and answers with its result", async () => {
    const res = await chat({ model: 'demo/echo', messages: [{ role: 'user', content: 'What is 2+3? Use a tool.' }] });
    assert.equal(res.status, 200);
    requestId = res.headers.get('x-request-id') ?? '';
    const body = (await res.json()) as any;
    assert.match(body.choices[0].message.content, /^\[tollgate demo model\] The tool answered: The sum of 2 and 3 is 5\./);
    assert.equal(body.tollgate.rounds, 2);
    assert.deepEqual(
      body.tollgate.tool_calls.map((c: { name: string; status: string }) => [c.name, c.status]),
      [['everything__get-sum', 'ok']],
    );
  });

  test('a plain message is echoed, streamed too', async () => {
    const json = (await (await chat({ model: 'demo/echo', messages: [{ role: 'user', content: 'hello gateway' }] })).json()) as any;
    assert.equal(json.choices[0].message.content, '[tollgate demo model] You said: hello gateway');
    const res = await chat({ model: 'demo/echo', stream: true, messages: [{ role: 'user', content: 'hello gateway' }] });
    const frames = (await res.text()).split('\n\n').filter(Boolean);
    assert.equal(frames.at(-1), 'data: [DONE]');
    const text = frames
      .slice(0, -1)
      .map((f) => JSON.parse(f.slice('data: '.length)).choices[0]?.delta?.content ?? '')
      .join('');
    assert.equal(text, '[tollgate demo model] You said: hello gateway');
  });

  test('the demo key reaches only demo models', async () => {
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as any).error.type, 'provider_blocked');
  });

  test('/logs shows the request', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    // The ledger writes in batches (every 200 ms by default).
    await until('the request on /logs', async () => {
      const page = await (await fetch(`${gw.url}/logs`, { headers: auth })).text();
      return page.includes(`data-request-id="${requestId}"`);
    });
  });

  test("the ledger holds the request, both LLM rounds and the tool call (the README's trace query)", async () => {
    assert.equal(await gw.stop(), 0);
    const db = new Database(join(dir, 'tollgate.db'), { readonly: true });
    try {
      const request = db.prepare('SELECT key_id, model, rounds, tool_calls, cost_usd FROM requests WHERE id = ?').get(requestId);
      assert.deepEqual(request, { key_id: 'demo', model: 'demo/echo', rounds: 2, tool_calls: 1, cost_usd: 0 });
      const trace = db
        .prepare(
          `SELECT 'llm' AS kind, round, provider || '/' || model AS what, status FROM llm_calls WHERE request_id = :id
           UNION ALL SELECT 'tool', round, name, status FROM tool_calls WHERE request_id = :id ORDER BY round, kind`,
        )
        .all({ id: requestId });
      assert.deepEqual(trace, [
        { kind: 'llm', round: 1, what: 'demo/echo', status: 200 },
        { kind: 'tool', round: 1, what: 'everything__get-sum', status: 'ok' },
        { kind: 'llm', round: 2, what: 'demo/echo', status: 200 },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('the demo provider in production', () => {
  test('NODE_ENV=production refuses a config that enables it, naming TOLLGATE_ALLOW_DEMO', async () => {
    await assert.rejects(
      startGatewayProcess('tollgate.config.json', { env: { ...NO_SECRETS, NODE_ENV: 'production', TOLLGATE_DB: ':memory:' } }),
      (err: Error) => {
        assert.match(err.message, /gateway exited \(1\) .*enables the built-in demo provider \(demo\).*TOLLGATE_ALLOW_DEMO=1/s);
        return true;
      },
    );
  });
});

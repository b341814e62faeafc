// Issue 14, item 8: the ledger holds what the budget counters held. A request's cost_usd is the sum
// of its known parts (unknown parts flagged, not the whole row NULL); a restart restores exactly
// the spend the live counters had, estimates included; retention never deletes rows of a budget
// period still in force.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { toolResultsOf } from '../helpers/wire.js';
import { startMcpHttpServer, type McpHttpServer } from '../fixtures/mcp-http-server.js';
import { connectStreamable } from '../../mcp/server/testing.js';
import { ADMIN, EPS, figure, keyUsage, settled } from './helpers.js';

const KEY = 'vk-restore-key-0001';
const TOOL_COST = 0.25;
const PER_CALL = 0.004;
const OLD_SPEND = 0.3;
let mock: MockUpstream;
let fixture: McpHttpServer;
let dir: string;

before(async () => {
  mock = await startMockUpstream();
  fixture = await startMcpHttpServer();
  dir = mkdtempSync(join(tmpdir(), 'tollgate-restore-'));
});
after(async () => {
  await fixture.close();
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = () => ({
  providers: mockProviders(mock, { maxRetries: 0 }),
  mcpServers: { fix: { transport: 'http', url: fixture.url } },
  pricing: { 'openai/gpt-4o-mini': { inputPerMTok: 10, outputPerMTok: 10 } },
  unpricedModels: { chargePerCallUsd: PER_CALL },
  toolCosts: { fix__add: TOOL_COST },
  // Retention far shorter than the budget's period (all time): it must keep the rows the restore needs.
  ledger: { retentionDays: 1 },
  virtualKeys: [{ id: 'k', key: KEY, models: ['*'], tools: { allow: ['fix__add'] }, budget: { usd: 5, period: 'none' } }],
});

describe('ledger and restore', () => {
  test('a restart restores what the live counters held, estimates and partly unknown costs included', { timeout: 60_000 }, async () => {
    const dbPath = join(dir, 'ledger.db');
    const gw1: TestGateway = await startGateway({ adminToken: ADMIN, config: config(), dbUrl: dbPath });
    let live: number;
    try {
      const client = new OpenAI({ apiKey: KEY, baseURL: gw1.baseURL, maxRetries: 0 });
      // (a) A tool loop on a model without a price (the operator's per-call charge) with a paid tool.
      mock.fallback = (body) =>
        toolResultsOf(body).length === 0
          ? { kind: 'tool_calls', calls: [{ name: 'fix__add', arguments: { a: 1, b: 2 } }] }
          : { kind: 'text', text: 'three' };
      const res = await client.chat.completions.create({
        model: 'openai/mystery-model',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'add' }],
      });
      assert.equal(res.choices[0]!.message.content, 'three');
      // (b) A stream the client drops: charged an estimate.
      mock.fallback = () => ({ kind: 'text', text: 'a slow answer in pieces', usage: { input: 50, output: 50 }, frameDelayMs: 40 });
      const stream = await client.chat.completions.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) break;
      // (c) A paid tool called through /mcp.
      const agent = await connectStreamable(gw1.url, KEY);
      await agent.client.callTool({ name: 'fix__add', arguments: { a: 2, b: 2 } });
      await agent.close();
      const until = Date.now() + 10_000;
      while ((await gw1.query("SELECT id FROM requests WHERE key_id = 'k'")).length < 2 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 25));
      live = (await settled(gw1.url, 'k')).spentUsd;
      const [loop] = await gw1.query<{ cost_usd: number | null; cost_unknown: number }>(
        "SELECT cost_usd, cost_unknown FROM requests WHERE key_id = 'k' AND model = 'openai/mystery-model'",
      );
      assert.deepEqual(loop, { cost_usd: TOOL_COST + 2 * PER_CALL, cost_unknown: 1 }, 'the known parts, with the unknown flagged');
    } finally {
      await gw1.close();
    }
    // Spend from earlier in the (all-time) budget period, older than retentionDays.
    const db = new Database(dbPath);
    db.prepare("INSERT INTO requests (id, ts, key_id, status, cost_usd) VALUES ('old', ?, 'k', 200, ?)").run(
      Date.now() - 10 * 86_400_000,
      OLD_SPEND,
    );
    db.close();

    const gw2 = await startGateway({ adminToken: ADMIN, config: config(), dbUrl: dbPath });
    try {
      const restored = (await keyUsage(gw2.url, 'k')).spentUsd;
      figure(`restart: live counters held $${live.toFixed(6)} (+ $${OLD_SPEND} older), restored`, restored, 5);
      assert.ok(live >= TOOL_COST * 2 + 2 * PER_CALL, `live ${live}`);
      assert.ok(Math.abs(restored - (live + OLD_SPEND)) < EPS, `restored ${restored}, live ${live} + older ${OLD_SPEND}`);
      const old = await gw2.query("SELECT id FROM requests WHERE id = 'old'");
      assert.equal(old.length, 1, 'retention kept the row of the budget period in force');
    } finally {
      await gw2.close();
    }
  });
});

// Durability (issue 9): a crash — SIGKILL of the real process under load — loses at most the
// ledger's unflushed batch, and the database opens cleanly afterwards with only complete rows.
// (SIGTERM draining is proved in tests/ledger.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders } from '../helpers/gateway.js';
import { openDatabase, migrateDatabase } from '../../src/db/open.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { waitFor } from '../helpers/wait-for.js';

const VK = 'vk-durability-test-01';
const FLUSH_MS = 50;
// How long before the kill a response must have arrived to be certainly flushed: the flush
// interval plus generous slack for a busy 2-core CI machine.
const FLUSHED_AFTER_MS = FLUSH_MS + 700;
let mock: MockUpstream;
let dir: string;

before(async () => {
  mock = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), 'tollgate-sigkill-'));
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('durability', () => {
  test('SIGKILL under load: only the unflushed tail is lost; the database opens cleanly with complete rows', {
    timeout: 60_000,
  }, async () => {
    const configPath = join(dir, 'config.json');
    const dbPath = join(dir, 'ledger.db');
    writeFileSync(
      configPath,
      JSON.stringify({
        providers: mockProviders(mock),
        virtualKeys: [{ id: 'load', key: VK, models: ['*'] }],
        ledger: { flushIntervalMs: FLUSH_MS, payloads: true },
      }),
    );
    mock.fallback = () => ({ kind: 'text', text: 'answer', usage: { input: 10, output: 5 }, delayMs: 5 });
    const gateway = await startGatewayProcess(configPath, { env: { TOLLGATE_DB: dbPath } });
    try {
      const url = gateway.url;
      const done: { id: string; at: number }[] = [];
      let killed = false;
      const worker = async () => {
        while (!killed) {
          const r = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
          }).catch(() => undefined);
          if (!r) return;
          await r.text().catch(() => undefined);
          if (r.status === 200 && !killed) done.push({ id: r.headers.get('x-request-id')!, at: performance.now() });
        }
      };
      const workers = Array.from({ length: 8 }, worker);
      // Enough answered requests that several batches were flushed and more are in flight.
      await waitFor(() => done.length >= 150, 30_000, '150 answered requests');
      const killedAt = performance.now();
      const killing = gateway.kill();
      killed = true;
      await Promise.all(workers);
      await killing;

      // The crashed database opens and migrates like any other and passes SQLite's own check.
      const db = openDatabase(dbPath);
      try {
        migrateDatabase(db);
        assert.equal(db.sqlite.pragma('integrity_check', { simple: true }), 'ok');
        assert.deepEqual(db.sqlite.pragma('foreign_key_check'), []);
        const rows = db.sqlite.prepare('SELECT * FROM requests').all() as Record<string, unknown>[];
        const ids = new Set(rows.map((r) => r.id as string));

        // Everything answered well before the kill was flushed: at most the last batch is lost.
        const mustHave = done.filter((d) => d.at < killedAt - FLUSHED_AFTER_MS);
        const missing = mustHave.filter((d) => !ids.has(d.id));
        assert.deepEqual(missing, [], `${missing.length} of ${mustHave.length} responses older than ${FLUSHED_AFTER_MS} ms are missing`);
        assert.ok(rows.length >= mustHave.length);

        // Rows present are complete: every column a finished request writes is there, and a
        // request row never exists without the LLM attempt rows queued before it.
        for (const r of rows) {
          assert.equal(r.status, 200);
          assert.equal(r.key_id, 'load');
          for (const col of ['id', 'ts', 'model', 'provider', 'latency_ms', 'prompt_tokens', 'completion_tokens', 'cost_usd'])
            assert.notEqual(r[col], null, `${col} of ${String(r.id)}`);
        }
        const [orphans] = db.sqlite
          .prepare('SELECT count(*) AS n FROM requests r WHERE NOT EXISTS (SELECT 1 FROM llm_calls l WHERE l.request_id = r.id)')
          .all() as { n: number }[];
        assert.equal(orphans!.n, 0, 'request rows without their llm_calls');
        const [attempts] = db.sqlite
          .prepare('SELECT count(*) AS n FROM llm_calls WHERE status = 200 AND prompt_tokens = 10 AND completion_tokens = 5')
          .all() as { n: number }[];
        assert.ok(attempts!.n >= rows.length);
      } finally {
        db.close();
      }
    } finally {
      await gateway.kill();
    }
  });
});

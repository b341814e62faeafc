import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { createLedgerWriter, type RequestRow } from './writer.js';
import { waitFor } from '../../tests/helpers/wait-for.js';

const req = (id: string, extra: Partial<RequestRow> = {}): RequestRow => ({
  id,
  ts: 1_700_000_000_000,
  status: 200,
  costUsd: 0.01,
  ...extra,
});
const count = (t: TempDatabase, table: string): number => (t.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('ledger writer', () => {
  let t: TempDatabase;
  beforeEach(() => {
    t = createTempDatabase();
  });
  afterEach(() => t.cleanup());

  test('rows are queued, not written, until flush; one flush writes the batch once', async () => {
    const flushes: number[] = [];
    const w = createLedgerWriter({
      sqlite: t.sqlite,
      batchSize: 100,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      onFlush: (rows) => flushes.push(rows),
    });
    assert.equal(w.request(req('r1')), undefined);
    w.llmCall({ requestId: 'r1', ts: 1, provider: 'openai', model: 'gpt-4o', status: 200, costUsd: null });
    w.toolCall({ requestId: 'r1', ts: 1, server: 'docs', tool: 'search', name: 'docs__search', status: 'ok', decision: 'allowed' });
    w.payload({ requestId: 'r1', ts: 1, kind: 'request', body: '{}' });
    await new Promise((r) => setImmediate(r));
    assert.equal(count(t, 'requests'), 0);
    assert.equal(w.depth(), 4);
    await w.flush();
    assert.deepEqual(flushes, [4]);
    assert.equal(w.depth(), 0);
    for (const table of ['requests', 'llm_calls', 'tool_calls', 'payloads']) assert.equal(count(t, table), 1, table);
    await w.close();
  });

  test('columns are mapped: booleans to 0/1, missing optionals to NULL, unknown cost flagged', async () => {
    const w = createLedgerWriter({ sqlite: t.sqlite, batchSize: 100, flushIntervalMs: 60_000, maxQueue: 1000 });
    w.request(req('r1', { keyId: 'k', stream: true, promptTokens: 7, costUsd: null, source: 'mcp' }));
    w.llmCall({ requestId: 'r1', ts: 5, provider: 'openai', model: 'gpt-4o', status: 0, errorType: 'upstream_timeout', costUsd: 0.5 });
    await w.close();
    const r = t.sqlite.prepare('SELECT * FROM requests').get() as Record<string, unknown>;
    assert.equal(r.key_id, 'k');
    assert.equal(r.team_id, null);
    assert.equal(r.stream, 1);
    assert.equal(r.prompt_tokens, 7);
    assert.equal(r.cost_usd, null);
    assert.equal(r.cost_unknown, 1);
    assert.equal(r.source, 'mcp');
    assert.equal(r.day, '2023-11-14');
    const l = t.sqlite.prepare('SELECT * FROM llm_calls').get() as Record<string, unknown>;
    assert.equal(l.cost_usd, 0.5);
    assert.equal(l.cost_unknown, 0);
    assert.equal(l.error_type, 'upstream_timeout');
  });

  test('the interval flushes on its own', async () => {
    const w = createLedgerWriter({ sqlite: t.sqlite, batchSize: 100, flushIntervalMs: 10, maxQueue: 1000 });
    w.request(req('r1'));
    assert.equal(count(t, 'requests'), 0);
    await waitFor(() => count(t, 'requests') === 1, 5_000, 'the interval to flush');
    await w.close();
  });

  test('a batch is one transaction: one bad row keeps the whole batch out and queued', async () => {
    const errors: Error[] = [];
    const w = createLedgerWriter({
      sqlite: t.sqlite,
      batchSize: 100,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      maxAttempts: 2,
      onError: (e) => errors.push(e),
    });
    w.request(req('a'));
    w.request(req('b'));
    w.request(req('a')); // duplicate primary key
    await w.flush();
    assert.equal(count(t, 'requests'), 0);
    assert.equal(w.depth(), 3);
    assert.match(errors[0]?.message ?? '', /attempt 1 of 2.*kept for retry/);
    // The second attempt hits the cap: good rows are written, the bad one dropped loudly.
    await w.flush();
    assert.equal(w.depth(), 0);
    assert.equal(count(t, 'requests'), 2);
    assert.match(errors[1]?.message ?? '', /dropped a requests row a after 2 failed attempts/);
    await w.close();
  });

  test('flush writes a backlog larger than batchSize in several transactions', async () => {
    const flushes: number[] = [];
    const w = createLedgerWriter({
      sqlite: t.sqlite,
      batchSize: 10,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      onFlush: (rows) => flushes.push(rows),
    });
    for (let i = 0; i < 25; i++) w.request(req(`r${i}`));
    await w.flush();
    assert.deepEqual(flushes, [10, 10, 5]);
    assert.equal(count(t, 'requests'), 25);
    await w.close();
  });

  test('a full queue returns a promise that resolves after a flush; nothing is lost', async () => {
    const w = createLedgerWriter({ sqlite: t.sqlite, batchSize: 1000, flushIntervalMs: 60_000, maxQueue: 5 });
    const results = [];
    for (let i = 0; i < 7; i++) results.push(w.request(req(`r${i}`)));
    assert.deepEqual(results.slice(0, 4), [undefined, undefined, undefined, undefined]);
    assert.ok(results[4] instanceof Promise);
    assert.ok(results[6] instanceof Promise);
    let resolved = false;
    void Promise.all(results.slice(4)).then(() => (resolved = true));
    assert.equal(count(t, 'requests'), 0);
    // The writer flushes by itself when the queue fills (no interval needed).
    await Promise.all(results.slice(4));
    assert.ok(resolved);
    assert.equal(count(t, 'requests'), 7);
    assert.equal(w.depth(), 0);
    await w.close();
  });

  test('close() flushes what is queued', async () => {
    const w = createLedgerWriter({ sqlite: t.sqlite, batchSize: 2, flushIntervalMs: 60_000, maxQueue: 1000 });
    for (let i = 0; i < 5; i++) w.request(req(`r${i}`));
    await w.close();
    assert.equal(count(t, 'requests'), 5);
  });
});

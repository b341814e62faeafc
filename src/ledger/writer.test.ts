import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { createLedgerWriter, type LedgerBackend, type RequestRow } from './writer.js';
import { prepareLedgerStatements } from './statements.js';
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

  test('a row the database refuses (duplicate id) is set aside in ledger_dead_letters; the rest of its batch is written', async () => {
    const errors: Error[] = [];
    const w = createLedgerWriter({
      sqlite: t.sqlite,
      batchSize: 100,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      onError: (e) => errors.push(e),
    });
    w.request(req('a'));
    w.request(req('b'));
    w.request(req('a', { status: 500 })); // duplicate primary key
    w.request(req('c'));
    await w.flush();
    assert.equal(w.depth(), 0);
    assert.equal(count(t, 'requests'), 3);
    const dead = t.sqlite.prepare('SELECT * FROM ledger_dead_letters').all() as Record<string, unknown>[];
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.table_name, 'requests');
    assert.equal(JSON.parse(dead[0]!.row as string).status, 500);
    assert.match(dead[0]!.error as string, /UNIQUE constraint failed/);
    assert.match(errors[0]?.message ?? '', /refused a requests row a; set aside in ledger_dead_letters/);
    await w.close();
  });

  test('transient failures are retried with backoff until they pass: nothing is dropped, failures and recovery reported', async () => {
    const real = prepareLedgerStatements(t.sqlite);
    let down = true;
    let attempts = 0;
    const backend: LedgerBackend = {
      writeBatch: (items) => {
        attempts++;
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        real.writeBatch(items);
      },
      write: (item) => real.write(item),
      writeDeadLetters: (letters) => real.writeDeadLetters(letters),
    };
    const errors: string[] = [];
    const resumed: number[] = [];
    const w = createLedgerWriter({
      backend,
      batchSize: 100,
      flushIntervalMs: 1,
      maxQueue: 1000,
      retryBaseMs: 1,
      retryMaxMs: 4,
      onError: (e) => errors.push(e.message),
      onResume: (n) => resumed.push(n),
    });
    for (let i = 0; i < 10; i++) w.request(req(`r${i}`));
    await waitFor(() => attempts >= 25, 10_000, 'many failed attempts');
    assert.equal(w.depth(), 10, 'every row is still queued');
    assert.ok(w.failures() >= 25);
    assert.match(errors[0]!, /writing 10 rows failed \(attempt 1\); kept and retried in 1 ms: connect ECONNREFUSED/);
    assert.ok(errors.length < attempts, 'not every retry is reported');
    down = false;
    await waitFor(() => count(t, 'requests') === 10, 10_000, 'the rows after the outage');
    assert.equal(resumed.length, 1);
    assert.ok(resumed[0]! >= 25);
    assert.equal(w.failures(), 0);
    assert.equal(count(t, 'ledger_dead_letters'), 0);
    assert.equal(await w.close(), 0);
  });

  test('control characters are stripped from text columns', async () => {
    const w = createLedgerWriter({ sqlite: t.sqlite, batchSize: 100, flushIntervalMs: 60_000, maxQueue: 1000 });
    w.request(req('r1', { model: 'openai/gpt\u0000-4o\u001b', errorMessage: 'line one\nline\ttwo\u0007' }));
    await w.close();
    const r = t.sqlite.prepare('SELECT model, error_message FROM requests').get() as Record<string, unknown>;
    assert.equal(r.model, 'openai/gpt-4o');
    assert.equal(r.error_message, 'line one\nline\ttwo');
  });

  test('back-pressure and batches are bounded by bytes too', async () => {
    const flushes: number[] = [];
    const w = createLedgerWriter({
      sqlite: t.sqlite,
      batchSize: 1000,
      flushIntervalMs: 60_000,
      maxQueue: 1000,
      maxQueueBytes: 100_000,
      maxBatchBytes: 30_000,
      onFlush: (rows) => flushes.push(rows),
    });
    const body = 'x'.repeat(10_000); // ~20 KB queued each
    const results = [];
    for (let i = 0; i < 6; i++) results.push(w.payload({ requestId: `r${i}`, ts: 1, kind: 'request', body }));
    assert.deepEqual(results.slice(0, 4), [undefined, undefined, undefined, undefined]);
    assert.ok(results[4] instanceof Promise, 'past the byte bound, writers wait');
    assert.ok(w.room() instanceof Promise);
    await Promise.all(results);
    await w.flush();
    assert.equal(w.room(), undefined);
    assert.equal(count(t, 'payloads'), 6);
    assert.ok(Math.max(...flushes) <= 1, `batches of at most one 20 KB row under a 30 KB bound: ${flushes}`);
    await w.close();
  });

  test('close() with the database still down gives up at its deadline and reports every row it could not write', async () => {
    const backend: LedgerBackend = {
      writeBatch: () => Promise.reject(new Error('connection terminated')),
      write: () => Promise.reject(new Error('connection terminated')),
      writeDeadLetters: () => Promise.reject(new Error('connection terminated')),
    };
    const errors: string[] = [];
    const w = createLedgerWriter({
      backend,
      batchSize: 10,
      flushIntervalMs: 60_000,
      maxQueue: 100,
      retryBaseMs: 1,
      onError: (e) => errors.push(e.message),
    });
    w.request(req('lost-1'));
    w.request(req('lost-2'));
    assert.equal(await w.close(50), 2);
    assert.ok(errors.some((m) => /not written before shutdown: requests .*"lost-1"/.test(m)));
    assert.ok(errors.some((m) => /not written before shutdown: requests .*"lost-2"/.test(m)));
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

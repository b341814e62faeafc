// Stored responses and MCP approvals on a SQLite file run their SQL in the ledger's writer thread,
// not on the event loop that serves requests (DESIGN.md: nothing synchronous on disk on the hot
// path), with every guarantee of the store kept: the ResponseStore contract and the approvals'
// decide-once rules over the worker; no better-sqlite3 statement of theirs on the main thread;
// read-your-writes before the write committed; shutdown writes what is held; a write the worker
// could not do is reported, and the gateway goes on.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createTempDatabase, type TempDatabase } from '../src/db/temp-database.js';
import { createWorkerLedgerBackend } from '../src/ledger/worker-backend.js';
import { openStore, type Store, type StoreOptions } from '../src/store/open-store.js';
import { createQueuedResponseStore } from '../src/stored-responses/sqlite-responses.js';
import { createQueuedApprovalStore } from '../src/stored-responses/sqlite-approvals.js';
import { checkResponseStore } from '../src/stored-responses/response-store-test-helpers.js';
import type { ResponseObject } from '../src/wire/responses/types.js';
import type { LedgerItem } from '../src/ledger/rows.js';
import { waitFor } from './helpers/wait-for.js';

const response = (id: string) => ({ id, object: 'response', output: [] }) as unknown as ResponseObject;
const gatewayEntry = (id: string, keyId: string | null = 'k1') => ({
  kind: 'gateway' as const,
  id,
  keyId,
  response: response(id),
  messages: [],
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

let t: TempDatabase;
beforeEach(() => {
  t = createTempDatabase();
});
afterEach(() => t.cleanup());

const storeOptions = (location: string, onLedgerError: (err: Error) => void = () => undefined): StoreOptions => ({
  location,
  ledger: { batchSize: 100, flushIntervalMs: 50, maxQueue: 1000, payloadRetentionDays: 30 },
  onLedgerError,
  onLedgerFlush: () => undefined,
  onRetentionError: () => undefined,
});

/** Rows of stored_responses as a fresh connection sees them (committed only). */
const committed = (path: string, id: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM stored_responses WHERE id = ?').get(id) as { n: number }).n;
  } finally {
    db.close();
  }
};

test('over the writer thread: the ResponseStore contract, and approvals decided once, for their key', { timeout: 60_000 }, async () => {
  const backend = createWorkerLedgerBackend(t.path);
  try {
    await backend.ready();
    await checkResponseStore((retention, clock) => createQueuedResponseStore(backend.store, retention, clock));

    const approvals = createQueuedApprovalStore(backend.store, () => 1000);
    const base = { keyId: 'k1', requestId: 'r0', serverLabel: 'fix', name: 'fix__add', arguments: '{"a":1}', callId: 'c', ts: 1000 };
    await approvals.propose([
      { ...base, id: 'mcpr_a', expiresAt: 5000 },
      { ...base, id: 'mcpr_b', expiresAt: 5000 },
    ]);
    assert.equal((await approvals.get('mcpr_a', 'k1'))?.arguments, '{"a":1}');
    assert.equal(await approvals.get('mcpr_a', 'k2'), undefined, "another key's approval is not found");
    assert.deepEqual(await approvals.decide('mcpr_a', 'k2', true, 2000, 'r1'), { ok: false, reason: 'approval_other_key' });
    const won = await approvals.decide('mcpr_a', 'k1', true, 2000, 'r1');
    assert.equal(won.ok && won.record.arguments, '{"a":1}');
    const again = await approvals.decide('mcpr_a', 'k1', true, 2001, 'r2');
    assert.equal(!again.ok && again.reason, 'approval_reused');
    const late = await approvals.decide('mcpr_b', 'k1', true, 5000, 'r3');
    assert.equal(!late.ok && late.reason, 'approval_expired');
    const unknown = await approvals.decide('mcpr_x', 'k1', true, 2000, 'r4');
    assert.equal(!unknown.ok && unknown.reason, 'approval_unknown');
  } finally {
    await backend.close();
  }
});

test('the main thread runs no better-sqlite3 statement for stored responses or approvals', { timeout: 60_000 }, async () => {
  const store = await openStore(storeOptions(t.path));
  // Every statement run on this thread, whatever its connection (the worker's isolate has its own).
  const proto = Object.getPrototypeOf(t.sqlite.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  const seen: string[] = [];
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = proto[name]!;
    originals.set(name, original);
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      if (/stored_responses|mcp_approvals/.test(this.source)) seen.push(this.source);
      return original.apply(this, args);
    };
  }
  try {
    await store.responses.put(gatewayEntry('resp_main'));
    await tick();
    assert.equal((await store.responses.get('resp_main', 'k1'))?.id, 'resp_main');
    assert.equal(await store.responses.delete('resp_main', 'k1'), true);
    assert.equal(await store.responses.get('resp_main', 'k1'), undefined);
    const now = Date.now();
    const record = {
      id: 'mcpr_m',
      keyId: 'k1',
      requestId: 'r',
      serverLabel: 's',
      name: 's__t',
      arguments: '{}',
      callId: 'c',
      ts: now,
      expiresAt: now + 60_000,
    };
    await store.approvals.propose([record]);
    assert.equal((await store.approvals.get('mcpr_m', 'k1'))?.id, 'mcpr_m');
    assert.equal((await store.approvals.decide('mcpr_m', 'k1', true, now, 'r2')).ok, true);
    assert.deepEqual(seen, [], 'no stored-response or approval statement ran on the main thread');
  } finally {
    for (const [name, original] of originals) proto[name] = original;
    await store.close();
  }
});

test('read-your-writes: a follow-up finds a response whose write has not committed yet, without waiting for it', {
  timeout: 60_000,
}, async () => {
  const backend = createWorkerLedgerBackend(t.path);
  try {
    await backend.ready();
    const store = createQueuedResponseStore(backend.store, { ttlMs: 60_000, maxPerKey: 100 });
    // Keep the writer thread busy with a large ledger batch, so the response's write waits behind it.
    const rows: LedgerItem[] = Array.from({ length: 20_000 }, (_, i) => ({
      table: 'payloads',
      row: { requestId: `r${i}`, ts: 1, kind: 'request', body: 'x'.repeat(200) },
    }));
    let busyDone = false;
    const busy = Promise.resolve(backend.writeBatch(rows)).then(() => {
      busyDone = true;
    });
    await store.put(gatewayEntry('resp_ryw'));
    // Four rows of k2 in one write with maxPerKey 3: its trim decides which stay, so these are read
    // in the writer thread, after the write.
    const small = createQueuedResponseStore(backend.store, { ttlMs: 60_000, maxPerKey: 3 });
    for (const i of [1, 2, 3, 4]) await small.put(gatewayEntry(`resp_t${i}`, 'k2'));
    await tick(); // handed over to the worker
    assert.equal(committed(t.path, 'resp_ryw'), 0, 'not committed yet');
    assert.equal((await store.get('resp_ryw', 'k1'))?.id, 'resp_ryw', 'found');
    assert.equal(busyDone, false, 'answered without waiting behind the ledger batch');
    assert.equal(await store.get('resp_ryw', 'k2'), undefined, 'for its key only');
    assert.equal(await small.get('resp_t1', 'k2'), undefined, 'trimmed by its own write');
    assert.equal(busyDone, true, 'that read ran in the writer thread, after the batch and the write');
    assert.equal((await small.get('resp_t4', 'k2'))?.id, 'resp_t4');
    assert.equal(await store.delete('resp_ryw', 'k1'), true);
    assert.equal(await store.get('resp_ryw', 'k1'), undefined, 'deleted');
    await busy;
  } finally {
    await backend.close();
  }
});

test('shutdown writes the responses still held before the writer thread stops', { timeout: 60_000 }, async () => {
  const store = await openStore(storeOptions(t.path));
  await store.responses.put(gatewayEntry('resp_last'));
  await store.close(); // no turn of the event loop in between: the row is still held
  assert.equal(committed(t.path, 'resp_last'), 1);
});

test('a write the worker could not do is reported; the store goes on serving', { timeout: 60_000 }, async () => {
  const errors: Error[] = [];
  let store: Store | undefined;
  try {
    t.sqlite.exec(
      `CREATE TRIGGER refuse_bad BEFORE INSERT ON stored_responses WHEN NEW.id = 'resp_bad'
       BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
    );
    store = await openStore(storeOptions(t.path, (err) => errors.push(err)));
    await store.responses.put(gatewayEntry('resp_bad'));
    await waitFor(() => errors.length > 0, 10_000, 'the write error');
    assert.equal(await store.responses.get('resp_bad', 'k1'), undefined, 'not stored: not found');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /stored responses: 1 not stored \(resp_bad\).*refused by test/);
    await store.responses.put(gatewayEntry('resp_good'));
    await tick();
    assert.equal((await store.responses.get('resp_good', 'k1'))?.id, 'resp_good', 'later writes land');
  } finally {
    await store?.close();
  }
});

test('a writer thread that dies with a write in flight: the write and the read after it go to the next one, in order', {
  timeout: 60_000,
}, async () => {
  let worker: import('node:worker_threads').Worker | undefined;
  const backend = createWorkerLedgerBackend(t.path, {}, { onWorker: (w) => (worker = w) });
  const errors: Error[] = [];
  try {
    await backend.ready();
    const store = createQueuedResponseStore(backend.store, { ttlMs: 60_000, maxPerKey: 1 }, Date.now, (err) => errors.push(err));
    // Two rows of one key with maxPerKey 1: read in the writer thread, after the write (not from memory).
    await store.put(gatewayEntry('resp_old'));
    await store.put(gatewayEntry('resp_new'));
    await tick(); // the write is posted
    const killed = worker!.terminate();
    const read = store.get('resp_new', 'k1'); // posted to the dying worker too
    await killed;
    assert.equal((await read)?.id, 'resp_new', 'found on the replacement: the write was sent again before the read');
    assert.equal(await store.get('resp_old', 'k1'), undefined, 'trimmed');
    assert.equal(backend.restarts, 1);
    assert.deepEqual(errors, []);
    assert.equal(committed(t.path, 'resp_new'), 1);
  } finally {
    await backend.close();
  }
});

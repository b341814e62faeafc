import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { createRequestQueries, type RequestQueries } from './request-queries.js';

let db: TempDatabase;
let q: RequestQueries;
const T0 = Date.UTC(2025, 0, 31, 12);

before(() => {
  db = createTempDatabase();
  const insert = db.sqlite.prepare(`INSERT INTO requests (id, ts, key_id, team_id, model, status, tool_calls, cost_usd, cost_unknown)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  insert.run('aaa-1', T0, 'k1', 'eng', 'openai/gpt-4o-mini', 200, 1, 0.01, 0);
  insert.run('aab-2', T0 + 1000, 'k2', 'ops', 'anthropic/claude', 502, 0, null, 1);
  insert.run('bbb-3', T0 + 2000, 'k1', 'eng', 'openai/gpt-4o-mini', 429, 0, 0, 0);
  insert.run('ccc-4', T0 + 2000, 'k1', 'eng', 'openai/gpt-4o-mini', 200, 2, 0.02, 0);
  q = createRequestQueries(db.sqlite);
});
after(() => db.cleanup());

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

describe('request list queries', () => {
  test('newest first, ties broken by id, limited', () => {
    assert.deepEqual(ids(q.list({}, 10)), ['ccc-4', 'bbb-3', 'aab-2', 'aaa-1']);
    assert.deepEqual(ids(q.list({}, 2)), ['ccc-4', 'bbb-3']);
  });
  test('filters combine', () => {
    assert.deepEqual(ids(q.list({ key: 'k1', status: 'ok' }, 10)), ['ccc-4', 'aaa-1']);
    assert.deepEqual(ids(q.list({ team: 'ops' }, 10)), ['aab-2']);
    assert.deepEqual(ids(q.list({ status: 'error' }, 10)), ['bbb-3', 'aab-2']);
    assert.deepEqual(ids(q.list({ status: '429' }, 10)), ['bbb-3']);
    assert.deepEqual(ids(q.list({ hasTools: true }, 10)), ['ccc-4', 'aaa-1']);
    assert.deepEqual(ids(q.list({ hasTools: false, model: 'openai/gpt-4o-mini' }, 10)), ['bbb-3']);
    assert.deepEqual(ids(q.list({ from: T0 + 1000, to: T0 + 2000 }, 10)), ['aab-2']);
    assert.deepEqual(ids(q.list({ idPrefix: 'aa' }, 10)), ['aab-2', 'aaa-1']);
  });
  test('keyset cursor continues after the last row, across equal timestamps', () => {
    assert.deepEqual(ids(q.list({ before: { ts: T0 + 2000, id: 'ccc-4' } }, 10)), ['bbb-3', 'aab-2', 'aaa-1']);
    assert.deepEqual(ids(q.list({ key: 'k1', before: { ts: T0 + 2000, id: 'bbb-3' } }, 10)), ['aaa-1']);
  });
  test('the key filter is answered from the (key_id, ts) index', () => {
    const plan = db.sqlite.prepare(`EXPLAIN QUERY PLAN SELECT id FROM requests WHERE key_id = ? ORDER BY ts DESC, id DESC LIMIT 10`).all('k1') as { detail: string }[];
    assert.ok(plan.some((p) => p.detail.includes('requests_key_ts_idx')), JSON.stringify(plan));
  });
});

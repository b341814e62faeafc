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
  test('the statement behind the key filter walks the (key_id, ts) index', () => {
    // Capture the SQL the list prepares for a key filter, then ask SQLite how it would run it.
    const seen: string[] = [];
    const spy = new Proxy(db.sqlite, {
      get: (t, p) =>
        p === 'prepare'
          ? (sql: string) => {
              seen.push(sql);
              return t.prepare(sql);
            }
          : Reflect.get(t, p, t),
    });
    createRequestQueries(spy).list({ key: 'k1' }, 10);
    const sql = seen.find((s) => s.includes('key_id = ?') && s.includes('ORDER BY ts DESC'))!;
    const plan = db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('k1', 10) as { detail: string }[];
    assert.ok(
      plan.some((p) => p.detail.includes('requests_key_ts_idx')),
      JSON.stringify(plan),
    );
    // Rows come out of the index in ts order; at most ties on ts are sorted (by id), never the whole set.
    assert.ok(!plan.some((p) => p.detail === 'USE TEMP B-TREE FOR ORDER BY'), JSON.stringify(plan));
  });
});

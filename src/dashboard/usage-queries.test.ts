import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../db/temp-database.js';
import { createUsageQueries, fillDays, sinceDay } from './usage-queries.js';

let db: TempDatabase;
const DAY1 = Date.UTC(2025, 0, 30, 12);
const DAY2 = Date.UTC(2025, 0, 31, 12);

before(() => {
  db = createTempDatabase();
  const req = db.sqlite.prepare(
    'INSERT INTO requests (id, ts, key_id, team_id, model, status, prompt_tokens, completion_tokens, cost_usd, cost_unknown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  req.run('r1', DAY1, 'k1', 'eng', 'openai/a', 200, 10, 5, 0.5, 0);
  req.run('r2', DAY2, 'k1', 'eng', 'openai/a', 500, 1, 0, null, 1);
  req.run('r3', DAY2, 'k2', 'ops', 'openai/a', 200, 2, 2, 0.25, 0);
  const tool = db.sqlite.prepare(
    "INSERT INTO tool_calls (request_id, ts, server, tool, name, status, decision, latency_ms, cost_usd) VALUES (?, ?, 'docs', 'search', 'docs__search', ?, ?, ?, 0)",
  );
  tool.run('r1', DAY1, 'ok', 'allowed', 10);
  tool.run('r3', DAY2, 'ok', 'allowed', 30);
  tool.run('r3', DAY2, 'denied', 'denied', 0);
});
after(() => db.cleanup());

describe('usage queries', () => {
  test('per day, with unknown prices counted apart', () => {
    const q = createUsageQueries(db.sqlite);
    const days = q.byDay('2025-01-30');
    assert.deepEqual(
      days.map((d) => [d.day, d.requests, d.cost_usd, d.unknown_cost]),
      [
        ['2025-01-30', 1, 0.5, 0],
        ['2025-01-31', 2, 0.25, 1],
      ],
    );
    assert.equal(q.byDay('2025-01-31').length, 1);
  });
  test('breakdowns by key, team and tool', () => {
    const q = createUsageQueries(db.sqlite);
    assert.deepEqual(
      q.byKey('2025-01-01').map((r) => [r.label, r.detail, r.requests, r.cost_usd, r.unknown_cost]),
      [
        ['k1', 'eng', 2, 0.5, 1],
        ['k2', 'ops', 1, 0.25, 0],
      ],
    );
    assert.deepEqual(
      q.byTeam('2025-01-01').map((r) => [r.label, r.requests]),
      [
        ['eng', 2],
        ['ops', 1],
      ],
    );
    const [tool] = q.byTool('2025-01-01');
    assert.deepEqual([tool!.name, tool!.calls, tool!.denials, tool!.avg_latency_ms], ['docs__search', 3, 1, 20]);
  });
  test('fillDays gives a continuous axis; sinceDay counts today', () => {
    const filled = fillDays(
      [{ day: '2025-01-31', requests: 2, errors: 0, cost_usd: 1, unknown_cost: 0, tokens: 3 }],
      '2025-01-29',
      '2025-01-31',
    );
    assert.deepEqual(
      filled.map((d) => [d.day, d.requests]),
      [
        ['2025-01-29', 0],
        ['2025-01-30', 0],
        ['2025-01-31', 2],
      ],
    );
    assert.equal(sinceDay(DAY2, 1), '2025-01-31');
    assert.equal(sinceDay(DAY2, 7), '2025-01-25');
  });
});

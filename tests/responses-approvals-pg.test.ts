// The approval tests of tests/responses-approvals.test.ts on PostgreSQL, plus what only shared
// storage shows: two replicas sharing one database receive the same approval at the same time and
// exactly one of them runs the call (the conditional UPDATE). Skipped, saying why, without PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from './helpers/services.js';
import { createPgApprovalStore } from '../src/stored-responses/pg-approvals.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the PostgreSQL approval tests: ${db}`);
  test('approvals on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./responses-approvals.test.js');

  test('replicas racing for one approval: exactly one decision wins; the rest are refusals', async () => {
    const pg = (await import('pg')).default;
    // The gateway of the imported tests migrated this database already.
    const pools = [new pg.Pool({ connectionString: db.url, max: 4 }), new pg.Pool({ connectionString: db.url, max: 4 })];
    try {
      const [a, b] = pools.map((p) => createPgApprovalStore(p));
      const now = Date.now();
      await a!.propose([
        {
          id: 'mcpr_race',
          keyId: 'k1',
          requestId: 'r0',
          serverLabel: 'fix',
          name: 'fix__add',
          arguments: '{}',
          callId: 'c1',
          ts: now,
          expiresAt: now + 60_000,
        },
      ]);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).decide('mcpr_race', 'k1', true, now, `r${i + 1}`)),
      );
      assert.equal(outcomes.filter((o) => o.ok).length, 1);
      assert.ok(outcomes.every((o) => o.ok || o.reason === 'approval_reused'));
      assert.deepEqual(await b!.decide('mcpr_race', 'k2', true, now, 'rx'), { ok: false, reason: 'approval_other_key' });
      assert.equal((await a!.decide('mcpr_nope', 'k1', true, now, 'ry')).ok, false);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
  after(() => db.drop());
}

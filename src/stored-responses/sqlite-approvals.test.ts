// The SQLite approval store: a pending approval is decided once, for its key, before it expires;
// everything else is refused with the reason the ledger records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase } from '../db/temp-database.js';
import { createSqliteApprovalStore } from './sqlite-approvals.js';

test('decided once, for its key, before it expires; refusals say why', async () => {
  const db = createTempDatabase();
  try {
    let clock = 1000;
    const store = createSqliteApprovalStore(db.sqlite, () => clock);
    const base = { keyId: 'k1', requestId: 'r0', serverLabel: 'fix', name: 'fix__add', arguments: '{"a":1}', callId: 'c', ts: 1000 };
    await store.propose([
      { ...base, id: 'mcpr_a', expiresAt: 5000 },
      { ...base, id: 'mcpr_b', expiresAt: 5000 },
      { ...base, id: 'mcpr_c', keyId: null, expiresAt: 5000 },
    ]);
    assert.deepEqual(await store.decide('mcpr_a', 'k2', true, 2000, 'r1'), { ok: false, reason: 'approval_other_key' });
    const won = await store.decide('mcpr_a', 'k1', true, 2000, 'r1');
    assert.equal(won.ok, true);
    assert.equal(won.ok && won.record.arguments, '{"a":1}');
    assert.equal((await store.decide('mcpr_a', 'k1', true, 2001, 'r2')).ok, false);
    assert.equal(((await store.decide('mcpr_a', 'k1', false, 2001, 'r2')) as { reason: string }).reason, 'approval_reused');
    assert.equal(((await store.decide('mcpr_b', 'k1', true, 5000, 'r3')) as { reason: string }).reason, 'approval_expired');
    assert.equal(((await store.decide('mcpr_x', 'k1', true, 2000, 'r4')) as { reason: string }).reason, 'approval_unknown');
    assert.equal(
      (await store.decide('mcpr_c', null, false, 2000, 'r5')).ok,
      true,
      'keyless (open policy) approvals match their own null key',
    );
    assert.equal(((await store.decide('mcpr_c', 'k1', true, 2000, 'r6')) as { reason: string }).reason, 'approval_other_key');
    assert.equal(await store.get('mcpr_a', 'k2'), undefined);
    const row = db.sqlite.prepare("SELECT status, decided_in FROM mcp_approvals WHERE id = 'mcpr_a'").get();
    assert.deepEqual(row, { status: 'approved', decided_in: 'r1' });
    // Proposing prunes rows a day past their expiry (these expired at 5000 ms since the epoch).
    clock = 5000 + 24 * 60 * 60 * 1000 + 1;
    await store.propose([{ ...base, id: 'mcpr_new', ts: clock, expiresAt: clock + 60_000 }]);
    const left = db.sqlite.prepare('SELECT id FROM mcp_approvals').all();
    assert.deepEqual(left, [{ id: 'mcpr_new' }]);
  } finally {
    db.cleanup();
  }
});

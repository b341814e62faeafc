// The ledger and view tests of tests/ledger.test.ts, run unchanged against PostgreSQL: a fresh
// database per run (dropped afterwards), selected through TOLLGATE_TEST_DB_URL, which
// tests/helpers/gateway.ts reads. Skipped, saying why, when PostgreSQL does not answer.
import { after, test } from 'node:test';
import { createTestDatabase } from './helpers/services.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the PostgreSQL ledger tests: ${db}`);
  test('ledger and views on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./ledger.test.js');
  // Registered after ledger.test.ts's own after(), so the gateway is closed before the drop.
  after(() => db.drop());
}

// The /logs dashboard tests of tests/dashboard.test.ts, run unchanged against PostgreSQL (a fresh
// database per run, dropped afterwards; selected through TOLLGATE_TEST_DB_URL, which
// tests/helpers/gateway.ts reads). Skipped, saying why, when PostgreSQL does not answer.
import { after, test } from 'node:test';
import { createTestDatabase } from './helpers/services.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the PostgreSQL dashboard tests: ${db}`);
  test('dashboard on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./dashboard.test.js');
  // Registered after dashboard.test.ts's own after(), so the gateway is closed before the drop.
  after(() => db.drop());
}

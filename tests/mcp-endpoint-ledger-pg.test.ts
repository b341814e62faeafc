// tests/mcp-endpoint-ledger.test.ts run unchanged against PostgreSQL (a fresh database, dropped
// afterwards, selected through TOLLGATE_TEST_DB_URL). Skipped, saying why, without PostgreSQL.
import { after, test } from 'node:test';
import { createTestDatabase } from './helpers/services.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the /mcp ledger tests on PostgreSQL: ${db}`);
  test('/mcp request rows on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./mcp-endpoint-ledger.test.js');
  // Registered after the imported file's own after(), so the gateway is closed before the drop.
  after(() => db.drop());
}

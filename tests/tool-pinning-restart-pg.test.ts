// tests/tool-pinning-restart.test.ts against PostgreSQL: pins written by one gateway are read by
// the next one from the tool_pins table, so a drift while it was down is quarantined at start.
// A fresh database per run, dropped afterwards; skipped, saying why, without PostgreSQL.
import { after, test } from 'node:test';
import { createTestDatabase } from './helpers/services.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the PostgreSQL tool-pin restart test: ${db}`);
  test('tool pins survive a restart on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./tool-pinning-restart.test.js');
  // Registered after tool-pinning-restart.test.ts's own after(), so its gateways are closed before the drop.
  after(() => db.drop());
}

// The tool-pinning tests of tests/tool-pinning.test.ts, run unchanged against PostgreSQL (pins in
// its tool_pins table): a fresh database per run, dropped afterwards, selected through
// TOLLGATE_TEST_DB_URL. Skipped, saying why, without PostgreSQL. The restart test needs a database
// of its own (it expects no pins at first start): tool-pinning-restart-pg.test.ts.
import { after, test } from 'node:test';
import { createTestDatabase } from './helpers/services.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the PostgreSQL tool-pinning tests: ${db}`);
  test('tool pinning on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./tool-pinning.test.js');
  // Registered after tool-pinning.test.ts's own after(), so its gateways are closed before the drop.
  after(() => db.drop());
}

// The spoken-answer isolation tests of tests/isolation/audio-ids.test.ts on PostgreSQL (a fresh
// database per run, dropped afterwards): a pool may run a follow-up's lookup beside the write that
// records a streamed answer's audio id, which the stream's end waits for. Skipped, saying why,
// without PostgreSQL.
import { after, test } from 'node:test';
import { createTestDatabase } from './helpers/services.js';

const db = await createTestDatabase();
if (typeof db === 'string') {
  console.log(`# skipping the PostgreSQL audio id tests: ${db}`);
  test('audio ids on PostgreSQL', { skip: db }, () => undefined);
} else {
  process.env.TOLLGATE_TEST_DB_URL = db.url;
  await import('./isolation/audio-ids.test.js');
  // Registered after audio-ids.test.ts's own after(), so the gateway is closed before the drop.
  after(() => db.drop());
}

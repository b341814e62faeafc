// The SQLite ResponseStore keeps the ResponseStore contract (response-store-test-helpers.ts).
import { test } from 'node:test';
import { createTempDatabase } from '../db/temp-database.js';
import { createSqliteResponseStore } from './sqlite-responses.js';
import { checkResponseStore } from './response-store-test-helpers.js';

test('stored responses on SQLite: per key, expiring, trimmed per key, deleted on DELETE', async () => {
  const db = createTempDatabase();
  try {
    await checkResponseStore((retention, clock) => createSqliteResponseStore(db.sqlite, retention, clock));
  } finally {
    db.cleanup();
  }
});

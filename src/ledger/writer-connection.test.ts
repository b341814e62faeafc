import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTempDatabase } from '../db/temp-database.js';
import { openWriterConnection, WRITER_CACHE_KIB } from './writer-connection.js';

test("the ledger writer's connection keeps a 2 MB page cache, not better-sqlite3's 16 MB", () => {
  const t = createTempDatabase();
  try {
    const writer = openWriterConnection(t.path);
    try {
      assert.equal(WRITER_CACHE_KIB, 2000);
      assert.equal(writer.pragma('cache_size', { simple: true }), -2000);
      // Other connections (the main thread's: reports, admin) keep better-sqlite3's default.
      assert.equal(t.sqlite.pragma('cache_size', { simple: true }), -16000);
    } finally {
      writer.close();
    }
  } finally {
    t.cleanup();
  }
});

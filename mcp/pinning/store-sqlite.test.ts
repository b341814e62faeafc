import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, migrateDatabase } from '../../src/db/open.js';
import { createToolPinStore } from './store-sqlite.js';
import type { PinRecord } from './types.js';

const pin: PinRecord = {
  server: 'docs',
  tool: 'search',
  hash: 'h1',
  definition: '{"name":"search"}',
  status: 'approved',
  flags: [],
  pendingHash: null,
  pendingDefinition: null,
  firstSeen: 1,
  updated: 1,
  approvedBy: 'first-sight',
  approvedAt: 1,
  blockedBy: null,
  blockedAt: null,
};

test('pins round-trip through tool_pins; a save replaces the row but keeps first_seen', async () => {
  const db = openDatabase(':memory:');
  migrateDatabase(db);
  const store = createToolPinStore(db.db);
  await store.save(pin);
  await store.save({
    ...pin,
    status: 'pending_changed',
    pendingHash: 'h2',
    pendingDefinition: '{"name":"search","description":"x"}',
    flags: [{ code: 'hidden_tag', field: 'description', excerpt: '<system>' }],
    updated: 5,
    firstSeen: 99,
  });
  const [loaded] = await store.load();
  assert.deepEqual(loaded, {
    ...pin,
    status: 'pending_changed',
    pendingHash: 'h2',
    pendingDefinition: '{"name":"search","description":"x"}',
    flags: [{ code: 'hidden_tag', field: 'description', excerpt: '<system>' }],
    updated: 5,
  });
  db.close();
});

test('an unknown status loads as blocked (fail closed)', async () => {
  const db = openDatabase(':memory:');
  migrateDatabase(db);
  db.sqlite.prepare(`INSERT INTO tool_pins (server, tool, status, first_seen, updated) VALUES ('a', 'b', 'weird', 1, 1)`).run();
  const [loaded] = await createToolPinStore(db.db).load();
  assert.equal(loaded?.status, 'blocked');
  db.close();
});

// Migration 0015 (shown_ids_kind) gives shown_containers a `kind`, and 0016 (shown_ids_kind_backfill,
// drizzle-kit's custom migration) gives rows written before it the kind their id's prefix names (audio_… is Chat Completions audio, the rest containers), so a key's
// audio ids and containers shown before the upgrade stay its own after it, each as its kind.
// SQLite here; PostgreSQL too when it is reachable (skipped, saying why, without it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, migrationsFolder, openDatabase } from '../src/db/open.js';
import { migratePostgres, openPostgres } from '../src/db/pg/open.js';
import { createTestDatabase, type TestDatabase } from './helpers/services.js';

const pgDb = await createTestDatabase();
const skipPg = typeof pgDb === 'string' ? pgDb : false;
if (skipPg) console.log(`# skipping the PostgreSQL migration test: ${skipPg}`);

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-kind-migration-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!skipPg) await (pgDb as TestDatabase).drop();
});

/** A copy of a migrations folder whose journal stops before 0015. */
function before0015(folder: string, name: string): string {
  const copy = join(dir, name);
  cpSync(folder, copy, { recursive: true });
  const journalPath = join(copy, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx < 15);
  writeFileSync(journalPath, JSON.stringify(journal));
  return copy;
}

const ROWS = [
  ['cntr_old', 'k1'],
  ['container_old', 'k1'],
  ['audio_old', 'k1'],
] as const;
const EXPECTED = [
  { id: 'audio_old', kind: 'audio' },
  { id: 'cntr_old', kind: 'container' },
  { id: 'container_old', kind: 'container' },
];

test('SQLite: rows shown before 0015 get the kind of their id', () => {
  const opened = openDatabase(join(dir, 'kind.db'));
  try {
    migrateDatabase(opened, before0015(migrationsFolder(), 'sqlite-migrations'));
    const insert = opened.sqlite.prepare('INSERT INTO shown_containers (id, key_id, ts, expires_at) VALUES (?, ?, 1, 2)');
    for (const [id, key] of ROWS) insert.run(id, key);
    migrateDatabase(opened);
    assert.deepEqual(opened.sqlite.prepare('SELECT id, kind FROM shown_containers ORDER BY id').all(), EXPECTED);
  } finally {
    opened.close();
  }
});

test('PostgreSQL: rows shown before 0015 get the kind of their id', { skip: skipPg }, async () => {
  const opened = await openPostgres((pgDb as TestDatabase).url, { max: 1 });
  try {
    await migratePostgres(opened, before0015(join(migrationsFolder(), 'pg'), 'pg-migrations'));
    for (const [id, key] of ROWS)
      await opened.pool.query('INSERT INTO shown_containers (id, key_id, ts, expires_at) VALUES ($1, $2, 1, 2)', [id, key]);
    await migratePostgres(opened);
    const { rows } = await opened.pool.query('SELECT id, kind FROM shown_containers ORDER BY id');
    assert.deepEqual(rows, EXPECTED);
  } finally {
    await opened.close();
  }
});

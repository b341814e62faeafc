import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, migrationsFolder, openDatabase } from './open.js';

describe('openDatabase / migrateDatabase', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-open-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a fresh file in a missing folder is created, tuned, and fully migrated', () => {
    const opened = openDatabase(join(dir, 'nested', 'deeper', 'tollgate.db'));
    try {
      assert.equal(opened.sqlite.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(opened.sqlite.pragma('synchronous', { simple: true }), 1); // NORMAL
      assert.equal(opened.sqlite.pragma('busy_timeout', { simple: true }), 5000);
      migrateDatabase(opened);
      const names = (
        opened.sqlite
          .prepare(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY type, name",
          )
          .all() as { type: string; name: string }[]
      ).map((r) => `${r.type}:${r.name}`);
      assert.deepEqual(names, [
        'table:customers',
        'table:ledger_dead_letters',
        'table:llm_calls',
        'table:mcp_approvals',
        'table:payloads',
        'table:requests',
        'table:shown_containers',
        'table:stored_responses',
        'table:teams',
        'table:tool_calls',
        'table:tool_pins',
        'table:virtual_keys',
        'view:cost_by_key_day',
        'view:cost_by_model_day',
        'view:cost_by_session',
        'view:cost_by_team_month',
        'view:tool_usage_day',
      ]);
      // Running again is a no-op, not an error.
      migrateDatabase(opened.db);
    } finally {
      opened.close();
    }
  });

  test('a file that is not a database fails with a message naming the path', () => {
    const bad = join(dir, 'not-a-db.db');
    writeFileSync(bad, 'this is not sqlite, just some text that is long enough to look like a header '.repeat(20));
    assert.throws(
      () => openDatabase(bad),
      (err: Error) => err.message.startsWith(`cannot open the database at ${bad}:`),
    );
  });

  test('a path that cannot be created fails with a message naming the path', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const path = join(blocker, 'sub', 'tollgate.db');
    assert.throws(
      () => openDatabase(path),
      (err: Error) => err.message.startsWith(`cannot open the database at ${path}:`),
    );
  });

  test('a broken migrations folder fails migration with a message naming the database', () => {
    const opened = openDatabase(join(dir, 'm.db'));
    try {
      const folder = join(dir, 'empty-migrations');
      mkdirSync(folder);
      assert.throws(() => migrateDatabase(opened, folder), /cannot migrate the database at .*m\.db:/);
    } finally {
      opened.close();
    }
  });

  test('the migrations folder is found from src/ and from a compiled dist/src/ path', () => {
    const fromSrc = migrationsFolder();
    assert.match(fromSrc, /[/\\]migrations$/);
    assert.equal(migrationsFolder(join(fromSrc, '..', 'dist', 'src', 'db')), fromSrc);
    assert.throws(() => migrationsFolder(tmpdir()), /cannot find the migrations folder/);
  });
});

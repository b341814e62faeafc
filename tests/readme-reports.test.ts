// Every example report in the README's ledger section runs on a freshly migrated ledger (the same
// text `npm run bench` times over 1M rows): a schema change that breaks one fails here first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../src/db/open.js';
import { readmeReports, timeReports } from '../bench/ledger-queries.js';

test("the README's example reports run on the migrated schema", () => {
  const reports = readmeReports(readFileSync('README.md', 'utf8'));
  assert.ok(reports.length >= 7, `found ${reports.length} reports`);
  assert.ok(reports.some((r) => r.title.startsWith('Spend per team this month')));
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-readme-reports-'));
  try {
    const opened = openDatabase(join(dir, 'ledger.db'));
    migrateDatabase(opened);
    opened.close();
    const timings = timeReports(reports, join(dir, 'ledger.db'), 1);
    assert.deepEqual(
      timings.map((t) => t.title),
      reports.map((r) => r.title),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

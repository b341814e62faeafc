// Every example report in the README's ledger section runs on a freshly migrated ledger (the same
// text `npm run bench` times over 1M rows): a schema change that breaks one fails here first. And
// none reads a whole ledger table: with the statistics `PRAGMA optimize` leaves, SQLite once chose
// to group by walking the whole (name, ts) index over reading a week of (day, name) — 1.1 s on 1M rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../src/db/open.js';
import Database from 'better-sqlite3';
import { readmeReports, timeReports } from '../bench/ledger-queries.js';
import { seedLedger } from '../bench/ledger-seed.js';
import { prepareLedgerStatements } from '../src/ledger/statements.js';

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

test("no README report scans a whole ledger table (generated ledger, SQLite's own statistics)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-readme-plans-'));
  try {
    const path = join(dir, 'ledger.db');
    seedLedger(path, 30_000);
    const db = new Database(path, { readonly: true });
    try {
      for (const report of readmeReports(readFileSync('README.md', 'utf8'))) {
        const plan = (
          db.prepare(`EXPLAIN QUERY PLAN ${report.sql}`).all(report.sql.includes(':id') ? { id: 'x' } : {}) as { detail: string }[]
        )
          .map((row) => row.detail)
          .join('\n');
        assert.doesNotMatch(plan, /^SCAN (requests|llm_calls|tool_calls)\b/m, `${report.title}:\n${plan}`);
      }
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's spend by surface and per-session reports count calls, not free count_tokens requests", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-readme-count-tokens-'));
  try {
    const path = join(dir, 'ledger.db');
    const opened = openDatabase(path);
    migrateDatabase(opened);
    const statements = prepareLedgerStatements(opened.sqlite);
    const now = Date.now();
    const row = { ts: now, keyId: 'k', status: 200, surface: 'messages' as const, sessionId: 'cc-1' };
    statements.writeBatch([
      { table: 'requests', row: { ...row, id: 'call', rounds: 1, costUsd: 0.01 } },
      { table: 'requests', row: { ...row, id: 'count', costUsd: 0, operation: 'count_tokens' } },
    ]);
    opened.close();
    const db = new Database(path, { readonly: true });
    try {
      const report = (title: string) => {
        const r = readmeReports(readFileSync('README.md', 'utf8')).find((x) => x.title.startsWith(title));
        assert.ok(r, title);
        return db.prepare(r.sql).all() as { requests: number }[];
      };
      assert.deepEqual(
        report('Spend by surface').map((r) => r.requests),
        [1],
      );
      assert.deepEqual(
        report('Cost per agent session').map((r) => r.requests),
        [1],
      );
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

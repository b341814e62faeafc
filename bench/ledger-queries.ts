// Ledger reports over 1M rows: every example query in the README's ledger section ("Example
// queries"), read from README.md itself so the bench times what users are told to run, on a
// generated ledger (bench/ledger-seed.ts). Issue 20's target: each ≤ 100 ms.
// The seeded database is cached in the temp dir per schema (migrations journal) and UTC day,
// since the reports are relative to "now" and seeding takes ~30 s.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/open.js';
import { seedLedger } from './ledger-seed.js';

export interface Report {
  title: string;
  sql: string;
}

export interface ReportTiming {
  title: string;
  rows: number;
  /** Median of the timed runs, ms. */
  medianMs: number;
  maxMs: number;
}

/** The `-- title` + SQL pairs of the ```sql block after "Example queries" in README.md. */
export function readmeReports(readme: string): Report[] {
  const at = readme.indexOf('Example queries');
  if (at < 0) throw new Error('README.md has no "Example queries"');
  const block = /```sql\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('README.md: no sql block after "Example queries"');
  const reports: Report[] = [];
  for (const line of block[1]!.split('\n')) {
    const title = /^-- (.*)$/.exec(line);
    if (title) reports.push({ title: title[1]!.trim(), sql: '' });
    else if (reports.length && line.trim()) reports.at(-1)!.sql += `${line}\n`;
  }
  return reports.map((r) => ({ title: r.title, sql: r.sql.trim().replace(/;$/, '') }));
}

function cachedLedger(rows: number, log: (s: string) => void): string {
  const journal = readFileSync('migrations/meta/_journal.json', 'utf8');
  const schema = createHash('sha256').update(journal).update(readFileSync('bench/ledger-seed.ts')).digest('hex').slice(0, 10);
  const day = new Date().toISOString().slice(0, 10);
  const name = `tollgate-bench-ledger-${rows}-${schema}-${day}.db`;
  const path = join(tmpdir(), name);
  if (existsSync(path)) return path;
  for (const old of readdirSync(tmpdir()).filter((f) => f.startsWith('tollgate-bench-ledger-')))
    rmSync(join(tmpdir(), old), { force: true });
  log(`ledger: seeding ${rows} rows into ${path} (cached for today)…`);
  log(`  ${seedLedger(`${path}.tmp`, rows)}`);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${path}.tmp${suffix}`)) rmSync(`${path}${suffix}`, { force: true });
  // Renamed only when complete, so an interrupted seed is never mistaken for a ledger.
  renameSync(`${path}.tmp`, path);
  return path;
}

/** Times each README report: one warm-up run, then `runs` timed runs (median and max). */
export function timeReports(reports: readonly Report[], dbPath: string, runs: number): ReportTiming[] {
  const opened = openDatabase(dbPath);
  try {
    const db = opened.sqlite;
    // The trace example takes a request id: one with tool calls, like a request worth tracing.
    const traced = db.prepare('SELECT request_id AS id FROM tool_calls WHERE request_id IS NOT NULL ORDER BY ts DESC LIMIT 1').get() as
      | { id: string }
      | undefined;
    return reports.map((r) => {
      const stmt = db.prepare(r.sql);
      const params = r.sql.includes(':id') ? [{ id: traced?.id ?? '' }] : [];
      let rows = stmt.all(...params).length;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        rows = stmt.all(...params).length;
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return { title: r.title, rows, medianMs: times[Math.floor(times.length / 2)]!, maxMs: times.at(-1)! };
    });
  } finally {
    opened.close();
  }
}

export function measureLedgerReports(opts: { rows: number; runs: number; log: (s: string) => void }): ReportTiming[] {
  const reports = readmeReports(readFileSync('README.md', 'utf8'));
  return timeReports(reports, cachedLedger(opts.rows, opts.log), opts.runs);
}

// Child process of `npm run bench` (run from the compiled tree under test, so its README and
// migrations are the ones measured): times the README's ledger reports over a seeded ledger.
//   node dist/bench/ledger-reports.js <rows> <runs>   → progress lines, then {"reports":[…]}
import { measureLedgerReports } from './ledger-queries.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 5);
const reports = measureLedgerReports({ rows, runs, log: (s) => process.stdout.write(`${s}\n`) });
process.stdout.write(`${JSON.stringify({ reports })}\n`);

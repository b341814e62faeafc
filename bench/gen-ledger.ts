// Generates a ledger of N rows (bench/ledger-seed.ts) into a SQLite file, times the README's
// example reports on it (bench/ledger-queries.ts) and the ledger writer on the large file.
//   npx tsx bench/gen-ledger.ts [path=bench/results/ledger.db] [rows=1000000]
// (`npm run bench` times the same reports on a cached 1M-row ledger.)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/open.js';
import { newRequestId } from '../src/ledger/request-id.js';
import { createLedgerWriter } from '../src/ledger/writer.js';
import { readmeReports, timeReports } from './ledger-queries.js';
import { seedLedger } from './ledger-seed.js';

const path = process.argv[2] ?? 'bench/results/ledger.db';
const targetRows = Number(process.argv[3] ?? 1_000_000);
const now = Date.now();

function timeQueries(): void {
  console.log(`\n${'report (README)'.padEnd(60)} ${'rows'.padStart(6)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)}`);
  for (const r of timeReports(readmeReports(readFileSync('README.md', 'utf8')), path, 5)) {
    console.log(
      `${r.title.slice(0, 60).padEnd(60)} ${String(r.rows).padStart(6)} ${r.medianMs.toFixed(1).padStart(10)} ${r.maxMs.toFixed(1).padStart(8)}`,
    );
  }
}

// The writer as the gateway uses it (config defaults: batches of 1000 rows, queue of 50k; UUIDv7
// request ids), on the already large ledger: a chat request's two rows (its `requests` and its
// `llm_calls` row), their enqueue cost on the request path and the flush cost in the background.
// (This runs the inserts on this thread; bench/ledger-writer.ts times the writer thread's work,
// the batch's deserialisation included, and compares ledgers.)
async function timeWriter(n = 50_000): Promise<void> {
  const opened = openDatabase(path);
  let flushes = 0;
  let flushMs = 0;
  let rows = 0;
  const writer = createLedgerWriter({
    sqlite: opened.sqlite,
    batchSize: 1000,
    flushIntervalMs: 200,
    maxQueue: 50_000,
    onFlush: (written, ms) => {
      flushes += 1;
      flushMs += ms;
      rows += written;
    },
  });
  const t0 = performance.now();
  let enqueueMs = 0;
  for (let i = 0; i < n; i++) {
    const ts = now + i;
    const id = newRequestId(ts);
    const e0 = performance.now();
    const waitCall = writer.llmCall({
      requestId: id,
      ts,
      provider: 'openai',
      model: 'gpt-4o',
      status: 200,
      promptTokens: 1000,
      completionTokens: 200,
      costUsd: 0.0045,
      latencyMs: 850,
    });
    const wait = writer.request({
      id,
      ts,
      keyId: 'key-1',
      teamId: 'team-1',
      customerId: 'customer-1',
      model: 'openai/gpt-4o',
      provider: 'openai',
      upstreamModel: 'gpt-4o',
      status: 200,
      rounds: 1,
      promptTokens: 1000,
      completionTokens: 200,
      costUsd: 0.0045,
      latencyMs: 900,
    });
    enqueueMs += performance.now() - e0;
    if (waitCall) await waitCall;
    if (wait) await wait;
  }
  await writer.close();
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `\nwriter: ${n} chat requests (${rows} rows) in ${secs.toFixed(2)}s (${Math.round(n / secs)} requests/s), enqueue ${((enqueueMs * 1000) / n).toFixed(2)} µs per request, ${flushes} flushes averaging ${(flushMs / flushes).toFixed(2)} ms per transaction, wall (${((flushMs * 1000) / n).toFixed(1)} µs per request)`,
  );
  opened.close();
}

if (process.env.SKIP_GENERATE !== '1') console.log(seedLedger(path, targetRows, now));
timeQueries();
await timeWriter();

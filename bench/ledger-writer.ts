// The ledger writer thread's CPU per request on a large ledger: what sqlite-worker.ts does with a
// batch (deserialize the buffer, insert its rows in one transaction), timed alone in this process
// (process.cpuUsage: user + system, the COMMITs and checkpoints included). Several ledgers take
// turns, round after round, so outside load falls on all of them; each is a copy, left unchanged.
//   npx tsx bench/ledger-writer.ts [--requests 30000] [--rounds 5] [--keys 20] [--tools] [--cache-kib 4000,1000] <ledger.db>…
// --cache-kib runs each ledger once per SQLite page-cache size (the writer's PRAGMA cache_size, in
// KiB; default the worker's own), each size on its own copy, in the same rotation.
// Make the ledgers with `npx tsx bench/gen-ledger.ts <path>` (1M rows), then change a copy (drop an
// index, apply a migration) to compare. Each request is one `requests` and one `llm_calls` row, as
// a chat pass-through writes (--tools: one `tool_calls` row more), in batches of the gateway's size.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { newRequestId } from '../src/ledger/request-id.js';
import type { LedgerItem } from '../src/ledger/rows.js';
import { prepareLedgerStatements, rowParams } from '../src/ledger/statements.js';
import { deserializeRows, serializeRows } from '../src/ledger/worker-rows.js';
import { openWriterConnection, WRITER_CACHE_KIB } from '../src/ledger/writer-connection.js';

const { values: flags, positionals: ledgers } = parseArgs({
  options: {
    requests: { type: 'string' },
    rounds: { type: 'string' },
    keys: { type: 'string' },
    batch: { type: 'string' },
    tools: { type: 'boolean' },
    'cache-kib': { type: 'string' },
  },
  allowPositionals: true,
  strict: true,
});
const requests = Number(flags.requests ?? 30_000);
const rounds = Number(flags.rounds ?? 5);
const keys = Number(flags.keys ?? 20);
const batchRows = Number(flags.batch ?? 1000);
const cacheSizes = flags['cache-kib'] ? flags['cache-kib'].split(',').map(Number) : [WRITER_CACHE_KIB];
if (ledgers.length === 0) throw new Error('usage: ledger-writer.ts [--requests N] [--rounds N] [--keys N] [--tools] <ledger.db>…');

/** The batches as the main thread hands them over: one v8-serialized buffer of positional rows each. */
function batches(start: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let items: LedgerItem[] = [];
  const flush = () => {
    out.push(serializeRows({ tables: items.map((i) => i.table), params: items.map(rowParams) }));
    items = [];
  };
  for (let i = 0; i < requests; i++) {
    const ts = start + i;
    const id = newRequestId(ts);
    const k = i % keys;
    const who = { keyId: `bench-key-${k}`, teamId: `bench-team-${k % 5}`, customerId: `bench-customer-${k % 2}` };
    const usage = { promptTokens: 120, completionTokens: 40, costUsd: 0.0000432, latencyMs: 3 };
    items.push({
      table: 'requests',
      row: {
        id,
        ts,
        ...who,
        model: 'openai/gpt-4o-mini',
        provider: 'openai',
        upstreamModel: 'gpt-4o-mini',
        status: 200,
        rounds: 1,
        ...usage,
      },
    });
    items.push({ table: 'llm_calls', row: { requestId: id, ts, provider: 'openai', model: 'gpt-4o-mini', status: 200, ...usage } });
    if (flags.tools) {
      items.push({
        table: 'tool_calls',
        row: {
          requestId: id,
          ts,
          ...who,
          round: 0,
          server: 'everything',
          tool: 'echo',
          name: 'everything__echo',
          status: 'ok',
          decision: 'allowed',
          latencyMs: 1,
          costUsd: 0,
        },
      });
    }
    if (items.length >= batchRows) flush();
  }
  if (items.length) flush();
  return out;
}

/** CPU µs per request of writing the batches into `path`. */
function writeAll(path: string, cacheKib: number, data: Uint8Array[]): number {
  const sqlite = openWriterConnection(path, cacheKib);
  try {
    const statements = prepareLedgerStatements(sqlite);
    const before = process.cpuUsage();
    for (const buffer of data) {
      const { tables, params } = deserializeRows(buffer);
      statements.writeRows(tables, params);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / requests;
  } finally {
    sqlite.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-writer-'));
try {
  const variants = ledgers.flatMap((path) => cacheSizes.map((cacheKib) => ({ path, cacheKib })));
  const copies = variants.map(({ path }, i) => {
    const copy = join(dir, `${i}-${basename(path)}`);
    for (const suffix of ['', '-wal']) if (existsSync(`${path}${suffix}`)) copyFileSync(`${path}${suffix}`, `${copy}${suffix}`);
    return copy;
  });
  const figures = variants.map((): number[] => []);
  let start = Date.now();
  for (let round = 0; round < rounds; round++) {
    const data = batches(start);
    start += requests;
    // The order rotates, so no ledger always runs first (or right after the others' checkpoints).
    for (let j = 0; j < copies.length; j++) {
      const i = (j + round) % copies.length;
      figures[i]!.push(writeAll(copies[i]!, variants[i]!.cacheKib, data));
    }
  }
  process.stdout.write(
    `writer CPU per request (${requests} requests a round${flags.tools ? ', each with a tool call' : ''}, ${keys} keys, ${batchRows}-row batches), median of ${rounds}:\n`,
  );
  variants.forEach(({ path, cacheKib }, i) => {
    const sorted = [...figures[i]!].sort((a, b) => a - b);
    process.stdout.write(
      `  ${sorted[sorted.length >> 1]!.toFixed(1).padStart(6)} µs  ${path}, cache ${cacheKib} KiB  (${sorted.map((x) => x.toFixed(1)).join(' ')})\n`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

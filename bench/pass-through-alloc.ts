// Bytes allocated per pass-through request, from V8's own GC trace: two gateways (this tree and
// --vs) run with --trace-gc over the same requests in interleaved blocks; the heap grown between
// one collection's end and the next one's start is what the isolate allocated (the main one's is
// the table; the ledger writer's Worker isolate is read apart, its own column). A count of bytes,
// so unlike CPU time it hardly moves with other load on the machine. Allocation sets how often the
// young generation is collected, and a request that meets a collection waits for it (p99).
//   npx tsx bench/pass-through-alloc.ts --vs <git ref|dir> [--surface messages|responses] [--stream] [--n 20000] [--conns 32] [--no-build]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { VK_PLAIN } from './constants.js';
import { passThroughEndpoint, startPassThrough, SURFACE_FLAGS, surfaceOf } from './pass-through.js';
import type { Proc } from './procs.js';
import { requestBlock, treeLabel, vsLabel, vsTree } from './compare.js';
import { startGatewayProc } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    ...SURFACE_FLAGS,
    vs: { type: 'string' },
  },
  strict: true,
});
const surface = surfaceOf(flags.surface);
const stream = flags.stream === true;
const n = Number(flags.n ?? 20000);
const conns = Number(flags.conns ?? 32);
const BLOCKS = 10;

interface IsolateGc {
  bytes: number;
  count: number;
  pause: number;
  lastAfter: number | undefined;
}
type GcTotals = Map<string, { bytes: number; count: number; pause: number }>;

/**
 * Sums what each isolate of the process allocated, read from its --trace-gc lines ("[pid:0x…]
 * Scavenge 20.1 (25.0) -> 19.5 (26.0) MB"), keyed by the isolate's address: the ledger writer's
 * Worker has an isolate (and heap) of its own, and reading its lines against the main isolate's
 * counted the gap between the two heaps' sizes as allocation at every switch between them (once
 * its young generation shrank to 3 MB and it collected often: 80 → 110 KB per request, acf7aed).
 */
function gcMeter(proc: Proc): () => GcTotals {
  const isolates = new Map<string, IsolateGc>();
  let rest = '';
  proc.child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const m =
        /^\[\d+:(0x[0-9a-f]+)\].*?(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+)/.exec(
          line,
        );
      if (!m) continue;
      let g = isolates.get(m[1]!);
      if (!g) isolates.set(m[1]!, (g = { bytes: 0, count: 0, pause: 0, lastAfter: undefined }));
      const before = Number(m[3]);
      const after = Number(m[5]);
      if (g.lastAfter !== undefined) g.bytes += Math.max(0, before - g.lastAfter) * 1024 * 1024;
      g.lastAfter = after;
      g.count++;
      g.pause += Number(m[6]);
    }
  });
  return () => new Map([...isolates].map(([k, g]) => [k, { bytes: g.bytes, count: g.count, pause: g.pause }]));
}

/** What each isolate did between two readings; the main isolate is the one that allocated the most. */
function between(from: GcTotals, to: GcTotals): { main: { bytes: number; count: number; pause: number }; otherBytes: number } {
  const rows = [...to].map(([k, t]) => {
    const f = from.get(k) ?? { bytes: 0, count: 0, pause: 0 };
    return { bytes: t.bytes - f.bytes, count: t.count - f.count, pause: t.pause - f.pause };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  const main = rows[0] ?? { bytes: 0, count: 0, pause: 0 };
  return { main, otherBytes: rows.slice(1).reduce((sum, r) => sum + r.bytes, 0) };
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
if (!other) throw new Error('--vs is required');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-pt-alloc-'));
const procs: Proc[] = [];
const stack = await startPassThrough(dir);
try {
  const start = (name: string, dist?: string) =>
    startGatewayProc({ name, configPath: stack.configPath, dbPath: join(dir, `${name}.db`), nodeFlags: ['--trace-gc'], dist });
  const mine = await start('gateway-mine');
  procs.push(mine);
  const vs = await start('gateway-vs', join(other.root, 'dist'));
  procs.push(vs);
  const paths = [
    { name: `gateway (${treeLabel(tree)})`, proc: mine },
    { name: `gateway at ${vsLabel(flags.vs!, other)}`, proc: vs },
  ].map((p) => {
    const e = passThroughEndpoint(p.name, p.proc.url, surface, stream, VK_PLAIN);
    return { ...p, e, meter: gcMeter(p.proc), pool: new Pool(e.origin, { connections: conns, pipelining: 1 }) };
  });
  for (const p of paths) await requestBlock(p.pool, p.e, 2000, conns); // warm-up
  const per = Math.ceil(n / BLOCKS);
  const from = paths.map((p) => p.meter());
  for (let b = 0; b < BLOCKS; b++)
    for (let i = 0; i < paths.length; i++)
      await requestBlock(paths[(b + i) % paths.length]!.pool, paths[(b + i) % paths.length]!.e, per, conns);
  await new Promise((r) => setTimeout(r, 300));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const rows = paths.map((p, i) => {
    const { main, otherBytes } = between(from[i]!, p.meter());
    const { bytes, count: gcs, pause } = main;
    const kb = (b: number) => `${(b / (per * BLOCKS) / 1024).toFixed(1)} KB`;
    return `| ${p.name} | ${kb(bytes)} | ${gcs} | ${gcs ? Math.round((per * BLOCKS) / gcs) : '—'} | ${gcs ? (pause / gcs).toFixed(2) : '—'} ms | ${kb(otherBytes)} |`;
  });
  for (const p of paths) await p.pool.close();
  process.stdout.write(
    `\nAllocated per ${stream ? 'streamed' : 'JSON'} ${surface} request (V8's GC trace), ${per * BLOCKS} requests per gateway in ${BLOCKS} interleaved blocks, ${conns} connections (load ${load})\n` +
      `Main isolate (the ledger writer's apart, last column)\n| gateway | allocated per request | collections | requests per collection | mean pause | writer isolate per request |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other.remove();
}

// Bytes allocated per pass-through request, from V8's own GC trace: two gateways (this tree and
// --vs) run with --trace-gc over the same requests in interleaved blocks; the heap grown between
// one collection's end and the next one's start is what the process allocated. A count of bytes,
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

/** Sums what the process allocated, read from its --trace-gc lines ("Scavenge 20.1 (25.0) -> 19.5 (26.0) MB"). */
function gcMeter(proc: Proc): { bytes: () => number; gcs: () => number; pauseMs: () => number } {
  let total = 0;
  let count = 0;
  let pause = 0;
  let lastAfter: number | undefined;
  let rest = '';
  proc.child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const m = /(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+)/.exec(
        line,
      );
      if (!m) continue;
      const before = Number(m[2]);
      const after = Number(m[4]);
      if (lastAfter !== undefined) total += Math.max(0, before - lastAfter);
      lastAfter = after;
      count++;
      pause += Number(m[5]);
    }
  });
  return { bytes: () => total * 1024 * 1024, gcs: () => count, pauseMs: () => pause };
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
    return { ...p, e, meter: gcMeter(p.proc), pool: new Pool(e.origin, { connections: conns, pipelining: 1 }), bytes: 0, gcs: 0 };
  });
  for (const p of paths) await requestBlock(p.pool, p.e, 2000, conns); // warm-up
  const per = Math.ceil(n / BLOCKS);
  const from = paths.map((p) => ({ bytes: p.meter.bytes(), gcs: p.meter.gcs(), pause: p.meter.pauseMs() }));
  for (let b = 0; b < BLOCKS; b++)
    for (let i = 0; i < paths.length; i++)
      await requestBlock(paths[(b + i) % paths.length]!.pool, paths[(b + i) % paths.length]!.e, per, conns);
  await new Promise((r) => setTimeout(r, 300));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const rows = paths.map((p, i) => {
    const bytes = p.meter.bytes() - from[i]!.bytes;
    const gcs = p.meter.gcs() - from[i]!.gcs;
    const pause = p.meter.pauseMs() - from[i]!.pause;
    return `| ${p.name} | ${(bytes / (per * BLOCKS) / 1024).toFixed(1)} KB | ${gcs} | ${gcs ? Math.round((per * BLOCKS) / gcs) : '—'} | ${gcs ? (pause / gcs).toFixed(2) : '—'} ms |`;
  });
  for (const p of paths) await p.pool.close();
  process.stdout.write(
    `\nAllocated per ${stream ? 'streamed' : 'JSON'} ${surface} request (V8's GC trace), ${per * BLOCKS} requests per gateway in ${BLOCKS} interleaved blocks, ${conns} connections (load ${load})\n` +
      `| gateway | allocated per request | collections | requests per collection | mean pause |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other.remove();
}

// Young-generation collections (scavenges) of the pass-through gateway under sequential load, from
// V8's own trace: how many ran at idle (read from a gateway's tollgate_gc_idle_scavenges gauge, which
// only the reverted idle-scavenge trees had: 0 otherwise) and how many inside a request (the rest), what each freed and
// how long it paused; with --nvp, what each copied (survived within the new space,
// promoted to the old one) instead of what each freed. Two gateways (this tree and --vs) take turns
// request by request, each followed by `--gap` requests straight to the mock, as the latency
// phase of `npm run bench` leaves the gateway idle between its own requests (--gap 0: back to back).
//   npx tsx bench/scavenges.ts --vs <git ref|dir> [--surface messages|responses|both] [--n 2000] [--gap 4] [--nvp] [--no-build]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VK_PLAIN } from './constants.js';
import { treeLabel, vsLabel, vsTree } from './compare.js';
import { SequentialSampler } from './load.js';
import { passThroughEndpoint, SURFACES, startPassThrough, type Surface } from './pass-through.js';
import type { Proc } from './procs.js';
import { startGatewayProc } from './stack.js';
import { percentile } from './stats.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    vs: { type: 'string' },
    surface: { type: 'string' },
    n: { type: 'string' },
    gap: { type: 'string' },
    nvp: { type: 'boolean' },
  },
  strict: true,
});
const n = Number(flags.n ?? 2000);
const gap = Number(flags.gap ?? 4);
const nvp = flags.nvp === true;
const surfaces: readonly Surface[] = !flags.surface || flags.surface === 'both' ? SURFACES : [flags.surface as Surface];
const WARMUP = 500;

interface Gc {
  isolate: string;
  /** Heap before, MB (tells the main isolate from the ledger worker's). */
  heap: number;
  pause: number;
  freed?: number;
  survived?: number;
  promoted?: number;
}

/** Scavenges of one gateway process, from its --trace-gc (or --trace-gc-nvp) lines. */
/** The gateway's count of idle collections (0 for a tree without the gauge). */
async function idleCount(proc: Proc): Promise<number> {
  const text = await (await fetch(`${proc.url}/metrics`)).text();
  return Number(/^tollgate_gc_idle_scavenges (\d+)/m.exec(text)?.[1] ?? 0);
}

function scavengeMeter(proc: Proc): { all: Gc[]; mark: () => void; since: () => Gc[] } {
  const all: Gc[] = [];
  let from = 0;
  let rest = '';
  proc.child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1];
      if (!isolate) continue;
      const plain = /Scavenge ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) /.exec(line);
      if (plain)
        all.push({
          isolate,
          heap: Number(plain[1]),
          pause: Number(plain[3]),
          freed: Number(plain[1]) - Number(plain[2]),
        });
      else if (line.includes(' gc=s ')) {
        const field = (name: string) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
        all.push({
          isolate,
          heap: field('total_size_before') / 1048576,
          pause: field('pause'),
          survived: field('new_space_survived') / 1024,
          promoted: field('promoted') / 1024,
        });
      }
    }
  });
  return {
    all,
    mark: () => void (from = all.length),
    // The main isolate: the one with the largest heap (the ledger worker's is a few MB).
    since: () => {
      const biggest = new Map<string, number>();
      for (const g of all) biggest.set(g.isolate, Math.max(biggest.get(g.isolate) ?? 0, g.heap));
      const main = [...biggest].sort((a, b) => b[1] - a[1])[0]?.[0];
      return all.slice(from).filter((g) => g.isolate === main);
    },
  };
}

const median = (xs: number[]) =>
  xs.length
    ? percentile(
        [...xs].sort((a, b) => a - b),
        50,
      )
    : 0;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
if (!other) throw new Error('--vs is required');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-scavenges-'));
const procs: Proc[] = [];
const stack = await startPassThrough(dir);
const sampler = new SequentialSampler();
try {
  const nodeFlags = [nvp ? '--trace-gc-nvp' : '--trace-gc'];
  const start = (name: string, dist?: string) =>
    startGatewayProc({ name, configPath: stack.configPath, dbPath: join(dir, `${name}.db`), nodeFlags, dist });
  const mine = await start('gateway-mine');
  procs.push(mine);
  const vs = await start('gateway-vs', join(other.root, 'dist'));
  procs.push(vs);
  const shapes = surfaces.flatMap((s) => [false, true].map((stream) => ({ s, stream })));
  const gateways = [
    { name: `gateway (${treeLabel(tree)})`, proc: mine },
    { name: `gateway at ${vsLabel(flags.vs!, other)}`, proc: vs },
  ].map((g) => ({
    ...g,
    meter: scavengeMeter(g.proc),
    endpoints: shapes.map(({ s, stream }) => passThroughEndpoint(`${g.name} ${s}${stream ? ' SSE' : ''}`, g.proc.url, s, stream, VK_PLAIN)),
    latency: [] as number[],
    idleFrom: 0,
    idle: 0,
  }));
  const direct = shapes.map(({ s, stream }) => passThroughEndpoint(`direct ${s}`, stack.mock.url, s, stream));
  for (let i = 0; i < WARMUP + n; i++) {
    if (i === WARMUP)
      for (const g of gateways) {
        g.meter.mark();
        g.idleFrom = await idleCount(g.proc);
      }
    for (let j = 0; j < gateways.length; j++) {
      const g = gateways[(i + j) % gateways.length]!;
      const us = await sampler.sample(g.endpoints[i % g.endpoints.length]!);
      if (i >= WARMUP) g.latency.push(us);
      for (let k = 0; k < gap; k++) await sampler.sample(direct[(i + k) % direct.length]!);
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  for (const g of gateways) g.idle = (await idleCount(g.proc)) - g.idleFrom;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const rows = gateways.map((g) => {
    const gcs = g.meter.since();
    const pauses = gcs.map((x) => x.pause).sort((a, b) => a - b);
    const lat = [...g.latency].sort((a, b) => a - b);
    const what = nvp
      ? `${mean(gcs.map((x) => x.survived!)).toFixed(0)} / ${mean(gcs.map((x) => x.promoted!)).toFixed(0)} KB`
      : `${gcs.length - g.idle} / ${g.idle} | ${median(gcs.map((x) => x.freed!)).toFixed(1)} MB`;
    return `| ${g.name} | ${gcs.length} | ${what} | ${median(pauses).toFixed(2)} / ${(pauses.at(-1) ?? 0).toFixed(1)} ms | ${(percentile(lat, 50) / 1000).toFixed(2)} / ${(percentile(lat, 99) / 1000).toFixed(2)} ms |`;
  });
  const head = nvp
    ? '| gateway | scavenges | survived / promoted per scavenge (mean) | pause median / max | latency p50 / p99 |\n| --- | --- | --- | --- | --- |'
    : '| gateway | scavenges | inside a request / at idle | freed per scavenge (median) | pause median / max | latency p50 / p99 |\n| --- | --- | --- | --- | --- | --- |';
  process.stdout.write(
    `\nScavenges of the main isolate, ${n} sequential pass-through requests per gateway (${surfaces.join(' + ')}, JSON and SSE), ${gap} direct requests after each (load ${load})\n${head}\n${rows.join('\n')}\n`,
  );
} finally {
  await sampler.close();
  for (const p of procs) await p.stop().catch(() => undefined);
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other.remove();
}

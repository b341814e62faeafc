// Sequential latency of the pass-through surfaces (Messages to an Anthropic upstream, Responses to a
// native Responses upstream), JSON and SSE, interleaved request by request across the mock
// directly, the bare floor, this tree's gateway and (--vs) another commit's gateway, in one run:
// pass-through.ts's latency phase, short enough to repeat while the machine is shared.
// Added = the path's percentile minus the direct path's, for the same surface and shape.
//   npx tsx bench/pass-through-latency.ts [--no-build] [--surface messages|responses] [--stream-only] [--n 1500] [--vs <git ref>]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VK_PLAIN } from './constants.js';
import { type Endpoint, interleavedLatency } from './load.js';
import { passThroughEndpoint, SURFACES, startPassThrough, type Surface } from './pass-through.js';
import type { Proc } from './procs.js';
import { startVsGateway, treeLabel, vsLabel, vsTree } from './compare.js';
import { summarize } from './stats.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    surface: { type: 'string' },
    'stream-only': { type: 'boolean' },
    n: { type: 'string' },
    vs: { type: 'string' },
  },
  strict: true,
});
const n = Number(flags.n ?? 1500);
const surfaces = flags.surface ? [flags.surface as Surface] : SURFACES;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-pt-latency-'));
const procs: Proc[] = [];
const stack = await startPassThrough(dir);
try {
  const gateways: [string, Proc][] = [[`gateway (${treeLabel(tree)})`, stack.gateway]];
  if (other) {
    const vs = await startVsGateway(other, stack.configPath, dir);
    procs.push(vs);
    gateways.push([`gateway at ${vsLabel(flags.vs!, other)}`, vs]);
  }
  const shapes = flags['stream-only'] ? ['SSE'] : ['SSE', 'JSON'];
  const groups: string[] = [];
  const endpoints: Endpoint[] = [];
  for (const surface of surfaces)
    for (const shape of shapes) {
      const group = `${surface} ${shape}`;
      groups.push(group);
      const stream = shape === 'SSE';
      endpoints.push(
        passThroughEndpoint(`direct ${group}`, stack.mock.url, surface, stream),
        passThroughEndpoint(`bare ${group}`, stack.bare.url, surface, stream),
      );
      for (const [name, proc] of gateways) endpoints.push(passThroughEndpoint(`${name} ${group}`, proc.url, surface, stream, VK_PLAIN));
    }
  const before = load();
  const samples = await interleavedLatency(endpoints, n, 500);
  const rows: string[] = [];
  for (const group of groups) {
    const direct = summarize(samples.get(`direct ${group}`)!);
    for (const e of endpoints.filter((x) => x.name.endsWith(` ${group}`) && !x.name.startsWith('direct'))) {
      const s = summarize(samples.get(e.name)!);
      rows.push(
        `| ${e.name} | ${Math.round(s.p50 - direct.p50)} µs | ${Math.round(s.p90 - direct.p90)} µs | ${(s.p99 / 1000).toFixed(2)} ms | ${Math.round(s.min - direct.min)} µs |`,
      );
    }
  }
  process.stdout.write(
    `\npass-through, ${n} sequential requests per path, interleaved (load ${before} → ${load()})\n` +
      `| path | added p50 | added p90 | p99 | added min |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other?.remove();
}

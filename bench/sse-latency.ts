// Sequential latency of streamed and JSON chat, interleaved request by request across the mock
// directly, the bare floor, this tree's gateway and (--vs) another commit's gateway, in one run:
// the latency phase of run.ts, short enough to repeat while the machine is shared.
// Added = the path's percentile minus the direct path's, for the same shape.
//   npx tsx bench/sse-latency.ts [--no-build] [--stream-only] [--n 1500] [--vs <git ref>]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VK_PLAIN } from './constants.js';
import { chatBody, endpoint } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { type Endpoint, interleavedLatency } from './load.js';
import type { Proc } from './procs.js';
import { startVsGateway, treeLabel, vsLabel, vsTree } from './compare.js';
import { startBareProxy, startGatewayProc, startMock } from './stack.js';
import { summarize } from './stats.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: { 'no-build': { type: 'boolean' }, 'stream-only': { type: 'boolean' }, n: { type: 'string' }, vs: { type: 'string' } },
  strict: true,
});
const n = Number(flags.n ?? 1500);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-sse-latency-'));
const procs: Proc[] = [];
try {
  const mock = await startMock();
  procs.push(mock);
  const bare = (await startBareProxy(mock.url))!;
  procs.push(bare);
  const configPath = writeGatewayConfig(dir, mock.url);
  const gw = await startGatewayProc({ name: 'gateway', configPath, dbPath: join(dir, 'ledger.db') });
  procs.push(gw);
  const gateways: [string, Proc][] = [[`gateway (${treeLabel(tree)})`, gw]];
  if (other) {
    const vs = await startVsGateway(other, configPath, dir);
    procs.push(vs);
    gateways.push([`gateway at ${vsLabel(flags.vs!, other)}`, vs]);
  }
  const shapes = flags['stream-only'] ? ['SSE'] : ['SSE', 'JSON'];
  const endpoints: Endpoint[] = [];
  for (const shape of shapes) {
    const body = chatBody(shape === 'SSE' ? { stream: true } : {});
    endpoints.push(endpoint(`direct ${shape}`, mock.url, body), endpoint(`bare ${shape}`, bare.url, body));
    for (const [name, proc] of gateways) endpoints.push(endpoint(`${name} ${shape}`, proc.url, body, VK_PLAIN));
  }
  const before = load();
  const samples = await interleavedLatency(endpoints, n, 500);
  const rows: string[] = [];
  for (const shape of shapes) {
    const direct = summarize(samples.get(`direct ${shape}`)!);
    for (const e of endpoints.filter((x) => x.name.endsWith(` ${shape}`) && !x.name.startsWith('direct'))) {
      const s = summarize(samples.get(e.name)!);
      rows.push(
        `| ${e.name} | ${Math.round(s.p50 - direct.p50)} µs | ${Math.round(s.p90 - direct.p90)} µs | ${Math.round(s.p99 - direct.p99)} µs | ${(s.p99 / 1000).toFixed(2)} ms | ${Math.round(s.min - direct.min)} µs |`,
      );
    }
  }
  process.stdout.write(
    `\nchat, ${n} sequential requests per path, interleaved (load ${before} → ${load()})\n` +
      `| path | added p50 | added p90 | added p99 | p99 | added min |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other?.remove();
}

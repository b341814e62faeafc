// CPU time per request of each process on the chat path (utime + stime from /proc/<pid>/stat),
// for the mock, the bare floor, the Hono floor and the gateway, over the same sequential requests.
// Unlike wall-clock latency this barely moves with other load on the machine, so it says what the
// gateway itself costs even when the latency figures are noisy.
//   npx tsx bench/cpu-per-request.ts [--no-build] [--n 3000] [--stream]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VK_PLAIN } from './constants.js';
import { chatBody, endpoint } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { SequentialSampler, type Endpoint } from './load.js';
import type { Proc } from './procs.js';
import { startBareProxy, startGatewayProc, startMock, startProxy } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: { 'no-build': { type: 'boolean' }, n: { type: 'string' }, stream: { type: 'boolean' } },
  strict: true,
});
const n = Number(flags.n ?? 3000);
const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

function cpuUs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cpu-'));
const procs: Proc[] = [];
try {
  const mock = await startMock();
  procs.push(mock);
  const bare = (await startBareProxy(mock.url))!;
  procs.push(bare);
  const hono = await startProxy(mock.url);
  procs.push(hono);
  const gw = await startGatewayProc({ name: 'gateway', configPath: writeGatewayConfig(dir, mock.url), dbPath: join(dir, 'ledger.db') });
  procs.push(gw);
  const body = chatBody(flags.stream ? { stream: true } : {});
  const paths: [string, Proc, Endpoint][] = [
    ['bare', bare, endpoint('bare', bare.url, body)],
    ['hono', hono, endpoint('hono', hono.url, body)],
    ['gateway', gw, endpoint('gateway', gw.url, body, VK_PLAIN)],
  ];
  const sampler = new SequentialSampler();
  for (const [, , e] of paths) for (let i = 0; i < 500; i++) await sampler.sample(e); // warm-up (JIT)
  const rows: string[] = [];
  for (const [name, proc, e] of paths) {
    const before = cpuUs(proc.child.pid);
    for (let i = 0; i < n; i++) await sampler.sample(e);
    rows.push(`| ${name} | ${Math.round((cpuUs(proc.child.pid) - before) / n)} µs |`);
  }
  await sampler.close();
  process.stdout.write(
    `\nCPU per ${flags.stream ? 'streamed' : 'JSON'} chat request (commit ${tree.commit.slice(0, 7)}, ${n} sequential requests each)\n| process | CPU per request |\n| --- | --- |\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
}

// CPU time per request of each process on the chat path (utime + stime from /proc/<pid>/stat),
// for the bare floor, the Hono floor and the gateway, over the same requests. Unlike wall-clock
// latency this moves much less with other load on the machine, so it says what the gateway itself
// costs even when the latency figures are noisy. The paths take turns in blocks (10 blocks each,
// the order rotating), so a burst of outside load falls on all of them, not on one.
//   npx tsx bench/cpu-per-request.ts [--no-build] [--n 3000] [--stream] [--conns 64] [--vs <git ref>]
// --conns N sends each block over N concurrent connections (the throughput shape: what the 60%
// target depends on) instead of one request at a time. --vs adds the gateway built at another
// commit (snapshot.ts), measured in the same run: a before/after that outside load cannot skew.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { VK_PLAIN } from './constants.js';
import { chatBody, endpoint } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import type { Endpoint } from './load.js';
import type { Proc } from './procs.js';
import { cpuUs, requestBlock, startVsGateway, treeLabel, vsLabel, vsTree } from './compare.js';
import { startBareProxy, startGatewayProc, startMock, startProxy } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    n: { type: 'string' },
    stream: { type: 'boolean' },
    conns: { type: 'string' },
    vs: { type: 'string' },
  },
  strict: true,
});
const n = Number(flags.n ?? 3000);
const conns = Number(flags.conns ?? 1);
const BLOCKS = 10;
/** CPU so far of each of the process's threads, by thread id (a thread gone since reads as 0). */
function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, cpuUs(pid, tid));
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return out;
}

/** Adds each thread's CPU between `before` and now to `into`. */
function addThreadCpu(into: Map<string, number>, pid: number | undefined, before: Map<string, number>): void {
  for (const [tid, us] of threadCpu(pid)) into.set(tid, (into.get(tid) ?? 0) + us - (before.get(tid) ?? 0));
}

/** Bytes the thread has passed to write() and the like so far (wchar in /proc/<pid>/task/<tid>/io). */
function threadWrites(pid: number | undefined, tid: string): number {
  try {
    return Number(/wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

// Node 20 names no thread (every comm is "node"). The main thread's id is the pid. The ledger's
// writer thread (sqlite-worker.ts) is told apart by what it writes: of the other threads only it
// writes files under load (the WAL), so it is the one with the most bytes written; the rest are
// V8's GC and compiler helpers and libuv's pool.
function threadBreakdown(pid: number | undefined, threads: Map<string, number>, requests: number): string {
  const per = (us: number) => (us / requests).toFixed(1);
  const others = [...threads].filter(([tid]) => tid !== String(pid));
  const writer = others.reduce<[string, number] | undefined>(
    (best, t) => (!best || threadWrites(pid, t[0]) > threadWrites(pid, best[0]) ? t : best),
    undefined,
  );
  const rest = others.filter((t) => t !== writer).sort((a, b) => b[1] - a[1]);
  const top = rest.slice(0, 3).map(([tid, us]) => `thread +${Number(tid) - pid!} ${per(us)}`);
  const tail = rest.slice(3).reduce((sum, [, us]) => sum + us, 0);
  return (
    `main ${per(threads.get(String(pid)) ?? 0)}, ledger writer (thread +${Number(writer?.[0]) - pid!}) ${per(writer?.[1] ?? 0)}, ` +
    `${top.join(', ')}, the other ${Math.max(0, rest.length - 3)} ${per(tail)} µs`
  );
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cpu-'));
const procs: Proc[] = [];
try {
  const mock = await startMock();
  procs.push(mock);
  const bare = (await startBareProxy(mock.url))!;
  procs.push(bare);
  const hono = await startProxy(mock.url);
  procs.push(hono);
  const configPath = writeGatewayConfig(dir, mock.url);
  const gw = await startGatewayProc({ name: 'gateway', configPath, dbPath: join(dir, 'ledger.db') });
  procs.push(gw);
  const body = chatBody(flags.stream ? { stream: true } : {});
  const paths: { name: string; proc: Proc; e: Endpoint; pool: Pool; cpu: number; wall: number; threads: Map<string, number> }[] = [
    { name: 'bare', proc: bare, e: endpoint('bare', bare.url, body) },
    { name: 'hono', proc: hono, e: endpoint('hono', hono.url, body) },
    {
      name: `gateway (${treeLabel(tree)})`,
      proc: gw,
      e: endpoint('gateway', gw.url, body, VK_PLAIN),
    },
  ].map((p) => ({
    ...p,
    pool: new Pool(p.e.origin, { connections: conns, pipelining: 1, keepAliveTimeout: 120_000 }),
    cpu: 0,
    wall: 0,
    threads: new Map(),
  }));
  if (other) {
    const vs = await startVsGateway(other, configPath, dir);
    procs.push(vs);
    const e = endpoint('gateway-vs', vs.url, body, VK_PLAIN);
    paths.push({
      name: `gateway at ${vsLabel(flags.vs!, other)}`,
      proc: vs,
      e,
      pool: new Pool(e.origin, { connections: conns, pipelining: 1, keepAliveTimeout: 120_000 }),
      cpu: 0,
      wall: 0,
      threads: new Map(),
    });
  }
  for (const p of paths) await requestBlock(p.pool, p.e, 500, conns); // warm-up (JIT, pools)
  const per = Math.ceil(n / BLOCKS);
  for (let b = 0; b < BLOCKS; b++) {
    for (let i = 0; i < paths.length; i++) {
      const p = paths[(b + i) % paths.length]!;
      const before = cpuUs(p.proc.child.pid);
      const threadsBefore = threadCpu(p.proc.child.pid);
      const t0 = performance.now();
      await requestBlock(p.pool, p.e, per, conns);
      p.wall += (performance.now() - t0) * 1000;
      p.cpu += cpuUs(p.proc.child.pid) - before;
      addThreadCpu(p.threads, p.proc.child.pid, threadsBefore);
    }
  }
  for (const p of paths) await p.pool.close();
  const bareUs = paths[0]!.cpu / (per * BLOCKS);
  const rows = paths.map((p) => {
    const us = p.cpu / (per * BLOCKS);
    return `| ${p.name} | ${Math.round(us)} µs | ${(us / bareUs).toFixed(2)}× | ${Math.round(p.wall / (per * BLOCKS))} µs |`;
  });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(
    `\nCPU per ${flags.stream ? 'streamed' : 'JSON'} chat request, ${per * BLOCKS} requests per path in ${BLOCKS} interleaved blocks, ` +
      `${conns === 1 ? 'sequential' : `${conns} connections`} (load average now ${load})\n` +
      // Wall time per request: the mean latency when sequential, the inverse of throughput with --conns.
      `| process | CPU per request | ÷ bare | wall per request |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n` +
      // The ledger is flushed every 200 ms or 500 rows, so a block's writes can land in the next
      // block's count: summed over all blocks this is close, per block it would not be.
      `\nCPU per request by thread (the gateways):\n${paths
        .slice(2)
        .map((p) => `- ${p.name}: ${threadBreakdown(p.proc.child.pid, p.threads, per * BLOCKS)}`)
        .join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other?.remove();
}

// What the ledger costs the gateway, and where: the same build with the ledger on and with
// TOLLGATE_LEDGER=off (rows are built, the sink discards them), plus the bare floor, taking turns in
// blocks over the same chat requests. Per path: throughput, CPU per request by thread (the main
// thread, the ledger's writer thread, V8's and libuv's helper threads) split into user and system
// time, context switches per request (voluntary = the thread slept, e.g. an idle event loop or a
// futex; involuntary = preempted), and V8's collections (--trace-gc, counted from the output).
//   npx tsx bench/ledger-cost.ts [--no-build] [--n 12000] [--conns 64] [--blocks 10] [--vs <git ref|dir>] [--strace] [--gc]
// --vs (repeatable) adds the ledger-on gateway of another build (before/after in the same run). --strace then
// counts system calls per request (strace -c -f) over one extra block per gateway (slower under
// strace, so kept out of the timed blocks). --gc starts the gateways with --trace-gc (a bench-only
// flag: it costs a little output per collection) to count scavenges and mark-compacts per request.
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
import { countCalls, requestBlock, treeLabel, vsLabel, vsTree } from './compare.js';
import { startBareProxy, startGatewayProc, startMock } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    n: { type: 'string' },
    conns: { type: 'string' },
    blocks: { type: 'string' },
    vs: { type: 'string', multiple: true },
    strace: { type: 'boolean' },
    gc: { type: 'boolean' },
  },
  strict: true,
});
const n = Number(flags.n ?? 12000);
const conns = Number(flags.conns ?? 64);
const BLOCKS = Number(flags.blocks ?? 10);
const TICK_US = 1e6 / 100; // USER_HZ

interface ThreadStat {
  user: number;
  sys: number;
  vcs: number;
  ivcs: number;
  wchar: number;
}

function readThread(pid: number, tid: string): ThreadStat | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const io = readFileSync(`/proc/${pid}/task/${tid}/io`, 'utf8');
    return {
      user: Number(f[11]) * TICK_US,
      sys: Number(f[12]) * TICK_US,
      vcs: Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
      ivcs: Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
      wchar: Number(/wchar:\s+(\d+)/.exec(io)?.[1] ?? 0),
    };
  } catch {
    return undefined; // the thread exited
  }
}

const snapshot = (pid: number): Map<string, ThreadStat> => {
  const out = new Map<string, ThreadStat>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const s = readThread(pid, tid);
    if (s) out.set(tid, s);
  }
  return out;
};

const ZERO: ThreadStat = { user: 0, sys: 0, vcs: 0, ivcs: 0, wchar: 0 };
const add = (a: ThreadStat, b: ThreadStat, c: ThreadStat = ZERO): ThreadStat => ({
  user: a.user + b.user - c.user,
  sys: a.sys + b.sys - c.sys,
  vcs: a.vcs + b.vcs - c.vcs,
  ivcs: a.ivcs + b.ivcs - c.ivcs,
  wchar: a.wchar + b.wchar - c.wchar,
});

interface Path {
  name: string;
  proc: Proc;
  e: Endpoint;
  pool: Pool;
  gateway: boolean;
  wall: number[];
  /** Per-thread totals over the timed blocks. */
  threads: Map<string, ThreadStat>;
  /** Collections over the timed blocks, by isolate (the first one seen is the main thread's). */
  gc: Map<string, Gc>;
  gcAt: Map<string, Gc>;
}

interface Gc {
  scavenges: number;
  scavengeMs: number;
  marks: number;
  markMs: number;
}
const GC_KEYS = ['scavenges', 'scavengeMs', 'marks', 'markMs'] as const;
const newGc = (): Gc => ({ scavenges: 0, scavengeMs: 0, marks: 0, markMs: 0 });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const tree = prepareTree({ noBuild: flags['no-build'] });
const others = (flags.vs ?? []).map((vs) => ({ vs, tree: vsTree(vs)! }));
const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledgercost-'));
const procs: Proc[] = [];
const loads: string[] = [];
const loadNow = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
try {
  loads.push(loadNow());
  const mock = await startMock();
  procs.push(mock);
  const bare = (await startBareProxy(mock.url))!;
  procs.push(bare);
  const configPath = writeGatewayConfig(dir, mock.url);
  const nodeFlags = flags.gc ? ['--trace-gc'] : [];
  const variants: { name: string; env?: Record<string, string>; dist?: string }[] = [
    { name: `ledger on (${treeLabel(tree)})` },
    { name: `ledger off (${treeLabel(tree)})`, env: { TOLLGATE_LEDGER: 'off' } },
  ];
  for (const o of others) variants.push({ name: `ledger on at ${vsLabel(o.vs, o.tree)}`, dist: join(o.tree.root, 'dist') });
  const body = chatBody({});
  const mk = (name: string, proc: Proc, e: Endpoint, gateway: boolean): Path => ({
    name,
    proc,
    e,
    gateway,
    pool: new Pool(e.origin, { connections: conns, pipelining: 1, keepAliveTimeout: 120_000 }),
    wall: [],
    threads: new Map(),
    gc: new Map(),
    gcAt: new Map(),
  });
  const paths: Path[] = [mk('bare floor', bare, endpoint('bare', bare.url, body), false)];
  for (const [i, v] of variants.entries()) {
    const proc = await startGatewayProc({
      name: `gateway-${i}`,
      configPath,
      dbPath: join(dir, `ledger-${i}.db`),
      nodeFlags,
      ...(v.env ? { env: v.env } : {}),
      ...(v.dist ? { dist: v.dist } : {}),
    });
    procs.push(proc);
    const p = mk(v.name, proc, endpoint(`gateway-${i}`, proc.url, body, VK_PLAIN), true);
    // --trace-gc lines: "[pid:addr:gc] 1234 ms: Scavenge 40.1 (45.2) -> 39.8 (46.2) MB, 1.23 / 0.00 ms ..."
    let tail = '';
    proc.child.stdout!.on('data', (d: Buffer) => {
      const text = tail + d.toString();
      const lines = text.split('\n');
      tail = lines.pop()!;
      for (const line of lines) {
        const m = /^\[\d+:(0x[0-9a-f]+)\].*?: (Scavenge|Mark-Compact|Mark-sweep)\b.*?MB, ([\d.]+) \/ ([\d.]+) ms/.exec(line);
        if (!m) continue;
        let g = p.gcAt.get(m[1]!);
        if (!g) p.gcAt.set(m[1]!, (g = newGc()));
        if (m[2] === 'Scavenge') {
          g.scavenges++;
          g.scavengeMs += Number(m[3]);
        } else {
          g.marks++;
          g.markMs += Number(m[3]);
        }
      }
    });
    paths.push(p);
  }
  for (const p of paths) await requestBlock(p.pool, p.e, 1000, conns); // warm-up (JIT, pools)
  const per = Math.ceil(n / BLOCKS);
  for (let b = 0; b < BLOCKS; b++) {
    for (let i = 0; i < paths.length; i++) {
      const p = paths[(b + i) % paths.length]!;
      const pid = p.proc.child.pid!;
      const before = snapshot(pid);
      const gcBefore = new Map([...p.gcAt].map(([k, g]) => [k, { ...g }]));
      const t0 = performance.now();
      await requestBlock(p.pool, p.e, per, conns);
      p.wall.push((performance.now() - t0) * 1000);
      // Let the ledger's writer finish this block's rows (flushIntervalMs 200) before the next block.
      if (p.gateway) await new Promise((r) => setTimeout(r, 300));
      for (const [tid, s] of snapshot(pid)) p.threads.set(tid, add(p.threads.get(tid) ?? ZERO, s, before.get(tid) ?? ZERO));
      for (const [iso, g] of p.gcAt) {
        let into = p.gc.get(iso);
        if (!into) p.gc.set(iso, (into = newGc()));
        for (const k of GC_KEYS) into[k] += g[k] - (gcBefore.get(iso)?.[k] ?? 0);
      }
    }
    loads.push(loadNow());
  }
  const total = per * BLOCKS;
  const bareUs = median(paths[0]!.wall) / per;
  const f = (x: number) => x.toFixed(1);
  const lines: string[] = [];
  lines.push(
    `\nChat JSON, ${conns} connections, ${total} requests per path in ${BLOCKS} interleaved blocks; load average ${loads[0]} → ${loads.at(-1)} (median 1-min ${f(median(loads.map((l) => Number(l.split(' ')[0]))))})`,
  );
  lines.push(
    '| path | req/s (median block) | ÷ bare floor | CPU µs/req (user+sys) | main user / sys | writer user / sys | helpers user / sys | ctx sw per req main vol/invol | writer vol/invol | helpers vol/invol |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of paths) {
    const pid = String(p.proc.child.pid);
    const main = p.threads.get(pid) ?? ZERO;
    const others = [...p.threads].filter(([tid]) => tid !== pid);
    // The writer thread is the one that wrote the most bytes (the WAL); none with the ledger off.
    const w = others.reduce<[string, ThreadStat] | undefined>((best, t) => (!best || t[1].wchar > best[1].wchar ? t : best), undefined);
    const writer = w && w[1].wchar > 0 ? w[1] : ZERO;
    const helpers = others.filter((t) => !w || t !== w || writer === ZERO).reduce((s, [, t]) => add(s, t), ZERO);
    const all = add(add(main, writer), helpers);
    const rps = 1e6 / (median(p.wall) / per);
    const q = (x: number) => f(x / total);
    const q2 = (x: number) => (x / total).toFixed(2);
    lines.push(
      `| ${p.name} | ${Math.round(rps)} | ${((bareUs / (median(p.wall) / per)) * 100).toFixed(1)}% | ${q(all.user + all.sys)} | ${q(main.user)} / ${q(main.sys)} | ${q(writer.user)} / ${q(writer.sys)} | ${q(helpers.user)} / ${q(helpers.sys)} | ${q2(main.vcs)} / ${q2(main.ivcs)} | ${q2(writer.vcs)} / ${q2(writer.ivcs)} | ${q2(helpers.vcs)} / ${q2(helpers.ivcs)} |`,
    );
  }
  if (flags.gc) {
    // Isolates are told apart by address only; the main one is the one that collects most (it
    // allocates per request, the writer per batch).
    lines.push('\nV8 collections per 1000 requests (--trace-gc; pause ms summed; by isolate, the busiest, the main one, first):');
    for (const p of paths.filter((x) => x.gateway))
      for (const [i, g] of [...p.gc.values()].sort((a, b) => b.scavenges - a.scavenges).entries())
        lines.push(
          `- ${p.name}, ${i === 0 ? 'main isolate' : 'ledger writer isolate'}: ${f((g.scavenges / total) * 1000)} scavenges (${f((g.scavengeMs / total) * 1000)} ms), ${f((g.marks / total) * 1000)} mark-compacts (${f((g.markMs / total) * 1000)} ms)`,
        );
  }
  if (flags.strace) {
    lines.push(`\nSystem calls per request (strace -c -f, one extra block of ${per} requests each):`);
    const counts: [string, Map<string, number>][] = [];
    for (const p of paths.filter((x) => x.gateway)) {
      const calls = await countCalls(p.proc.child.pid!, () =>
        requestBlock(p.pool, p.e, per, conns).then(() => new Promise((r) => setTimeout(r, 300))),
      );
      counts.push([p.name, calls]);
    }
    const names = [...new Set(counts.flatMap(([, c]) => [...c.keys()]))]
      .filter((s) => s !== 'total')
      .sort((a, b) => (counts[0]![1].get(b) ?? 0) - (counts[0]![1].get(a) ?? 0))
      .slice(0, 14);
    lines.push(`| syscall | ${counts.map(([name]) => name).join(' | ')} |`, `| --- |${counts.map(() => ' --- |').join('')}`);
    for (const s of [...names, 'total']) lines.push(`| ${s} | ${counts.map(([, c]) => ((c.get(s) ?? 0) / per).toFixed(2)).join(' | ')} |`);
  }
  for (const p of paths) await p.pool.close();
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  for (const o of others) o.tree.remove();
}

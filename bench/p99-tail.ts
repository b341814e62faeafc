// What the slowest requests of one pass-through path are made of. The 12 paths of `npm run bench`'s
// pass-through latency phase run as there (direct / bare / gateway, Messages and Responses, JSON and
// SSE, interleaved request by request); every process carries bench/p99-probe.ts (server and
// upstream request marks, connections, GCs, Worker posts, on the machine's monotonic clock), and
// around every request the tool reads each thread's /proc schedstat (CPU run time, and time spent
// runnable but waiting for a CPU). It then splits the slowest 2% of --path and its middle half
// (p25–p75) into phases and causes, side by side.
// --gw-flags adds node flags to the gateway's (npm start's); with --gw-log, V8's --trace-opt /
// --trace-deopt lines are timed as they arrive, written to that file and counted per request.
//   npx tsx bench/p99-tail.ts [--no-build] [--n 3000] [--warmup 2000] [--path gateway-messages-stream] [--no-sched] [--json /tmp/x.json]
//     ["--gw-flags=--trace-opt --trace-deopt" --gw-log /tmp/gw.log]
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { VK_PLAIN } from './constants.js';
import { type Endpoint, SequentialSampler } from './load.js';
import { EV } from './p99-probe.js';
import { LABEL, passThroughConfig, passThroughEndpoint, SURFACES } from './pass-through.js';
import { jsonPort, startProc, type Proc } from './procs.js';
import { distDir, startGatewayProc } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    'no-sched': { type: 'boolean' },
    n: { type: 'string' },
    warmup: { type: 'string' },
    path: { type: 'string' },
    json: { type: 'string' },
    'gw-flags': { type: 'string' },
    'gw-log': { type: 'string' },
  },
  strict: true,
});
const N = Number(flags.n ?? 3000);
const WARMUP = Number(flags.warmup ?? 2000); // per path, as npm run bench
const target = flags.path ?? 'gateway-messages-stream';
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
const mono = () => performance.now() + offset;

// The client's own collections (they delay whichever request is in flight).
const clientGc: number[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) clientGc.push(e.startTime + offset, e.duration, 0, 0);
}).observe({ entryTypes: ['gc'] });

/** Threads whose schedstat is read around each request: name → fd. */
interface Thread {
  name: string;
  fd: number;
}
function threadsOf(pid: number, proc: string): Thread[] {
  // Node 20 names no thread, so they are told apart by creation order: main, then (in a gateway) one
  // helper, V8's 4 platform workers (GC, compilers), one more helper, libuv's 4 pool threads, and
  // last the ledger writer's Worker (created after the pool, at startup).
  const tids = readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .sort((a, b) => a - b);
  return tids.map((tid, i) => {
    const kind = i === 0 ? 'main' : i >= 2 && i <= 5 ? 'v8' : i >= 7 && i <= 10 ? 'uv' : i === 11 ? 'worker' : `t${i}`;
    return { name: `${proc}.${kind}`, fd: openSync(`/proc/${pid}/task/${tid}/schedstat`, 'r') };
  });
}
const buf = Buffer.alloc(128);
/** [run ns, runnable-wait ns] of each thread, in `into` from `at`. */
function readSched(threads: Thread[], into: Float64Array, at: number): void {
  for (let i = 0; i < threads.length; i++) {
    const len = readSync(threads[i]!.fd, buf, 0, 128, 0);
    const s = buf.toString('latin1', 0, len);
    const sp = s.indexOf(' ');
    into[at + 2 * i] = Number(s.slice(0, sp));
    into[at + 2 * i + 1] = Number(s.slice(sp + 1, s.indexOf(' ', sp + 1)));
  }
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const probe = join(distDir(), 'bench/p99-probe.js');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-p99-'));
const outOf = (name: string) => join(dir, `${name}.probe`);
const procs: Proc[] = [];
const sampler = new SequentialSampler();
try {
  const withProbe = (name: string, script: string, env: Record<string, string>) =>
    startProc({
      name,
      args: ['--import', probe, join(distDir(), script)],
      env: { PORT: '0', P99_PROBE_OUT: outOf(name), ...env },
      port: jsonPort,
    });
  const mock = await withProbe('mock', 'bench/mock-pass-through.js', {});
  procs.push(mock);
  const bare = await withProbe('bare', 'bench/bare-proxy.js', { UPSTREAM: mock.url });
  procs.push(bare);
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(passThroughConfig(mock.url)));
  const gw = await startGatewayProc({
    name: 'gateway',
    configPath,
    dbPath: join(dir, 'ledger.db'),
    nodeFlags: ['--import', probe, ...(flags['gw-flags']?.split(' ').filter(Boolean) ?? [])],
    // --gw-log: V8's traces line-buffered (they go through C stdio), so each line's arrival time is its time.
    env: {
      P99_PROBE_OUT: outOf('gateway'),
      ...(flags['gw-log'] ? { LD_PRELOAD: '/usr/libexec/coreutils/libstdbuf.so', _STDBUF_O: 'L' } : {}),
    },
  });
  procs.push(gw);
  // --gw-log: the gateway's output (say, V8 traces from --gw-flags), with a line where measuring starts.
  const log = flags['gw-log'];
  const v8Lines: [number, string][] = [];
  if (log)
    for (const s of [gw.child.stdout!, gw.child.stderr!])
      s.on('data', (d: Buffer) => {
        const t = mono();
        for (const line of d.toString().split('\n')) if (line) v8Lines.push([t, line]);
      });
  const endpoints: Endpoint[] = [];
  for (const surface of SURFACES)
    for (const stream of [false, true]) {
      const s = `${LABEL[surface]}${stream ? '-stream' : ''}`;
      endpoints.push(
        passThroughEndpoint(`direct-${s}`, mock.url, surface, stream),
        passThroughEndpoint(`bare-${s}`, bare.url, surface, stream),
        passThroughEndpoint(`gateway-${s}`, gw.url, surface, stream, VK_PLAIN),
      );
    }
  const tIdx = endpoints.findIndex((e) => e.name === target);
  if (tIdx < 0) throw new Error(`--path: one of ${endpoints.map((e) => e.name).join(', ')}`);
  // Warm-up first, so every thread (the ledger writer, V8's helpers) exists before they are listed.
  for (let i = 0; i < WARMUP; i++) for (let j = 0; j < endpoints.length; j++) await sampler.sample(endpoints[(i + j) % endpoints.length]!);
  const pids: [number, string][] = [
    [gw.child.pid!, 'gw'],
    [mock.child.pid!, 'mock'],
    [bare.child.pid!, 'bare'],
    [process.pid, 'client'],
  ];
  const threads = flags['no-sched'] ? [] : pids.flatMap(([pid, name]) => threadsOf(pid, name));
  const T = threads.length * 2;
  const [before, after] = [new Float64Array(T), new Float64Array(T)];
  const loadBefore = load();
  const measureFrom = mono();
  // Per sample of the target path: t0, t1, then per thread [run, wait] deltas in ns.
  const rows: { t0: number; t1: number; sched: Float64Array }[] = [];
  const all: number[][] = endpoints.map(() => []);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < endpoints.length; j++) {
      const k = (i + j) % endpoints.length;
      const e = endpoints[k]!;
      const client = sampler.client(e);
      if (T) readSched(threads, before, 0);
      const t0 = mono();
      const res = await client.request({ method: 'POST', path: e.path, headers: e.headers, body: e.body });
      await res.body.text();
      const t1 = mono();
      if (T) readSched(threads, after, 0);
      all[k]!.push((t1 - t0) * 1000);
      if (k === tIdx) {
        const sched = new Float64Array(T);
        for (let x = 0; x < T; x++) sched[x] = after[x]! - before[x]!;
        rows.push({ t0, t1, sched });
      }
    }
  }
  const loadAfter = load();
  for (const t of threads) closeSync(t.fd);
  // Each probe writes its events on SIGUSR2.
  const events: Record<string, Float64Array> = {};
  for (const p of procs) {
    p.child.kill('SIGUSR2');
    const file = outOf(p.name);
    for (let w = 0; w < 100 && !existsSync(file); w++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const b = readFileSync(file);
    events[p.name] = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  }
  events.client = Float64Array.from(clientGc);
  if (log) writeFileSync(log, v8Lines.map(([t, l]) => `${(t - measureFrom).toFixed(3)} ${l}`).join('\n'));
  // V8's --trace-opt/--trace-deopt lines as probe events: a concurrent TurboFan job started or
  // finished (code 9), a deoptimisation (code 10).
  const v8: number[] = [];
  for (const [t, l] of v8Lines) {
    if (l.startsWith('[compiling method') || l.startsWith('[completed optimizing')) v8.push(9, t, 0, 0);
    else if (l.startsWith('[bailout')) v8.push(10, t, 0, 0);
  }
  events.v8 = Float64Array.from(v8);
  report(rows, threads, events, all, endpoints, `${loadBefore} → ${loadAfter}`);
} finally {
  await sampler.close();
  for (const p of procs.reverse()) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
}

/** Events of one kind in [from, to) (GCs: those overlapping it). */
function within(ev: Float64Array, code: number, from: number, to: number): number[][] {
  const hits: number[][] = [];
  for (let i = 0; i < ev.length; i += 4) {
    if (ev[i] !== code) continue;
    const t = ev[i + 1]!;
    const end = code === EV.gc ? t + ev[i + 2]! : t;
    if (end >= from && t < to) hits.push([t, ev[i + 2]!, ev[i + 3]!]);
  }
  return hits;
}
function gcCount(e: Float64Array, from: number, to: number, name: string): string {
  const gcs = within(e, EV.gc, from, to);
  return `${name} ${gcs.filter((g) => g[2] === 1).length} / ${gcs.filter((g) => g[2] !== 1).length}`;
}
function first(ev: Float64Array, code: number, from: number, to: number): number | undefined {
  return within(ev, code, from, to)[0]?.[0];
}

function report(
  rows: { t0: number; t1: number; sched: Float64Array }[],
  threads: Thread[],
  ev: Record<string, Float64Array>,
  all: number[][],
  endpoints: Endpoint[],
  loadNote: string,
): void {
  const gw = ev.gateway!;
  const mock = ev.mock!;
  const gcMs = (e: Float64Array, r: { t0: number; t1: number }, kinds: number[]) =>
    within(e, EV.gc, r.t0, r.t1)
      .filter((g) => kinds.includes(g[2]!))
      .reduce((s, g) => s + Math.min(g[0]! + g[1]!, r.t1) - Math.max(g[0]!, r.t0), 0);
  const facts = rows.map((r) => {
    const us = (r.t1 - r.t0) * 1000;
    const sIn = first(gw, EV.serverStart, r.t0, r.t1) ?? r.t0;
    const create = first(gw, EV.upstreamCreate, sIn, r.t1) ?? sIn;
    const mIn = first(mock, EV.serverStart, create, r.t1) ?? create;
    const mOut = first(mock, EV.serverFinish, mIn, r.t1 + 50) ?? mIn;
    const head = first(gw, EV.upstreamHeaders, create, r.t1) ?? create;
    const f: Record<string, number> = {
      'latency µs': us,
      'client → gateway request start': (sIn - r.t0) * 1000,
      'gateway: start → upstream request': (create - sIn) * 1000,
      'upstream request → mock got it': (mIn - create) * 1000,
      'mock: got it → answered': (Math.min(mOut, r.t1) - mIn) * 1000,
      'mock answered → gateway upstream headers': (head - Math.min(mOut, head)) * 1000,
      'upstream headers → client end': (r.t1 - head) * 1000,
      'gw scavenge ms inside': gcMs(gw, r, [1]),
      'gw mark-compact/incremental ms inside': gcMs(gw, r, [2, 4, 8]),
      'mock GC ms inside': gcMs(mock, r, [1, 2, 4, 8]),
      'client GC ms inside': gcMs(ev.client!, r, [0, 1, 2, 4, 8]),
      'gw Worker posts inside': within(gw, EV.workerPost, r.t0, r.t1).length,
      'gw Worker post within 5 ms before': within(gw, EV.workerPost, r.t0 - 5, r.t0).length,
      'gw new upstream connections': within(gw, EV.connected, r.t0, r.t1).length,
      'gw TurboFan jobs started or finished inside': within(ev.v8!, 9, r.t0, r.t1).length,
      'gw deopts inside': within(ev.v8!, 10, r.t0, r.t1).length,
    };
    // Per thread group: CPU run and runnable-wait µs inside the request.
    const groups = new Map<string, [number, number]>();
    threads.forEach((t, i) => {
      const g = groups.get(t.name) ?? [0, 0];
      g[0] += r.sched[2 * i]! / 1000;
      g[1] += r.sched[2 * i + 1]! / 1000;
      groups.set(t.name, g);
    });
    f['gw V8 helper threads ran ≥ 100 µs CPU'] = (groups.get('gw.v8')?.[0] ?? 0) >= 100 ? 1 : 0;
    for (const [name, [run, wait]] of groups) {
      f[`${name} run µs`] = run;
      f[`${name} wait µs`] = wait;
    }
    return f;
  });
  const order = facts.map((_, i) => i).sort((a, b) => facts[a]!['latency µs']! - facts[b]!['latency µs']!);
  const slow = order.slice(Math.floor(order.length * 0.98));
  const mid = order.slice(Math.floor(order.length * 0.25), Math.floor(order.length * 0.75));
  const mean = (idx: number[], k: string) => idx.reduce((s, i) => s + facts[i]![k]!, 0) / idx.length;
  const share = (idx: number[], k: string) => idx.filter((i) => facts[i]![k]! > 0).length / idx.length;
  const lines = Object.keys(facts[0]!)
    .filter((k) => Math.max(mean(slow, k), mean(mid, k)) >= 1 || !k.endsWith('µs'))
    .map((k) => {
      const counted = !k.endsWith('µs');
      const fmt = (idx: number[]) =>
        counted ? `${mean(idx, k).toFixed(2)} (${Math.round(share(idx, k) * 100)}% of them)` : `${Math.round(mean(idx, k))}`;
      return `| ${k} | ${fmt(mid)} | ${fmt(slow)} |`;
    });
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;
  process.stdout.write(
    `\n${N} sequential requests per path, 12 paths interleaved (load ${loadNote})\n` +
      `| path | p50 | p90 | p98 | p99 µs |\n| --- | --- | --- | --- | --- |\n` +
      endpoints.map((e, k) => `| ${e.name} | ${[50, 90, 98, 99].map((p) => Math.round(pct(all[k]!, p))).join(' | ')} |`).join('\n') +
      `\n\n${target}: means over its middle half (p25–p75, ${mid.length}) and its slowest 2% (${slow.length})\n` +
      `| | middle half | slowest 2% |\n| --- | --- | --- |\n${lines.join('\n')}\n` +
      `GCs while measuring (minor / major+incremental): ${Object.entries(ev)
        .filter(([k]) => k !== 'v8')
        .map(([k, e]) => gcCount(e, rows[0]!.t0, rows.at(-1)!.t1, k))
        .join(', ')}\n`,
  );
  if (flags.json) writeFileSync(flags.json, JSON.stringify({ facts, slow, mid, rows: rows.map((r) => ({ t0: r.t0, t1: r.t1 })) }));
}

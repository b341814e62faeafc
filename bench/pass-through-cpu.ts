// CPU time per request on a pass-through surface (cpu-per-request.ts's method, for /v1/messages to
// an Anthropic upstream and /v1/responses to a native Responses upstream): the bare floor
// (bare-proxy.ts), the gateway of this tree and, with --vs, the gateway built at another
// commit, in 10 interleaved blocks each, over the same requests to the same mock
// (mock-pass-through.ts). CPU time moves much less with outside load than latency does.
//   npx tsx bench/pass-through-cpu.ts [--surface messages|responses] [--stream] [--store] [--n 3000] [--conns 1] [--vs <git ref>] [--prof] [--interval-us 1000] [--no-build]
// --store (responses): `"store": true`, so the gateway keeps each response (previous_response_id,
// GET, DELETE); the mock gives each its own id. The table also shows the main thread's share (the
// event loop that serves requests; the rest is the ledger's writer thread, GC and libuv helpers).
// --prof runs this tree's gateway under --cpu-prof and prints its profile summary (measured blocks only);
// the profile and the summary are kept in bench/results/profiles/. --interval-us: its sampling interval
// (--cpu-prof-interval), finer for a short path such as a stream's relay.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { VK_PLAIN } from './constants.js';
import { passThroughEndpoint, startPassThrough, SURFACE_FLAGS, surfaceOf } from './pass-through.js';
import { formatSummary, summarizeProfile } from './profile-summary.js';
import type { Proc } from './procs.js';
import { cpuUs, requestBlock, startVsGateway, treeLabel, vsLabel, vsTree } from './compare.js';
import { startGatewayProc } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    ...SURFACE_FLAGS,
    vs: { type: 'string' },
    prof: { type: 'boolean' },
    store: { type: 'boolean' },
    'interval-us': { type: 'string' },
  },
  strict: true,
});
const surface = surfaceOf(flags.surface);
const stream = flags.stream === true;
const store = flags.store === true;
if (store && surface !== 'responses') throw new Error('--store is for --surface responses');
const n = Number(flags.n ?? 3000);
const conns = Number(flags.conns ?? 1);
const BLOCKS = 10;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-pt-cpu-'));
const profDir = join(dir, 'prof');
const procs: Proc[] = [];
const stack = await startPassThrough(dir);
try {
  // With --prof, this tree's gateway is a second one started under --cpu-prof (the stack's stays unused).
  const gw = flags.prof
    ? await startGatewayProc({
        name: 'gateway-prof',
        configPath: stack.configPath,
        dbPath: join(dir, 'prof.db'),
        nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-interval=${Number(flags['interval-us'] ?? 1000)}`],
      })
    : stack.gateway;
  if (flags.prof) procs.push(gw);
  const mk = (name: string, proc: Proc, key?: string) => {
    const e = passThroughEndpoint(name, proc.url, surface, stream, key, store);
    return {
      name,
      proc,
      e,
      pool: new Pool(e.origin, { connections: conns, pipelining: 1, keepAliveTimeout: 120_000 }),
      cpu: 0,
      main: 0,
      wall: 0,
    };
  };
  const paths = [mk('bare', stack.bare), mk(`gateway (${treeLabel(tree)})`, gw, VK_PLAIN)];
  if (other) {
    const vs = await startVsGateway(other, stack.configPath, dir);
    procs.push(vs);
    paths.push(mk(`gateway at ${vsLabel(flags.vs!, other)}`, vs, VK_PLAIN));
  }
  for (const p of paths) await requestBlock(p.pool, p.e, 500, conns); // warm-up (JIT, pools)
  const per = Math.ceil(n / BLOCKS);
  const window = { fromUs: nowUs(), toUs: 0 };
  for (let b = 0; b < BLOCKS; b++) {
    for (let i = 0; i < paths.length; i++) {
      const p = paths[(b + i) % paths.length]!;
      const pid = p.proc.child.pid;
      const before = cpuUs(pid);
      const mainBefore = cpuUs(pid, String(pid));
      const t0 = performance.now();
      await requestBlock(p.pool, p.e, per, conns);
      p.wall += (performance.now() - t0) * 1000;
      p.cpu += cpuUs(pid) - before;
      p.main += cpuUs(pid, String(pid)) - mainBefore;
    }
  }
  window.toUs = nowUs();
  for (const p of paths) await p.pool.close();
  const bareUs = paths[0]!.cpu / (per * BLOCKS);
  const rows = paths.map((p) => {
    const us = p.cpu / (per * BLOCKS);
    const main = Math.round(p.main / (per * BLOCKS));
    return `| ${p.name} | ${Math.round(us)} µs | ${main} µs | ${(us / bareUs).toFixed(2)}× | ${Math.round(p.wall / (per * BLOCKS))} µs |`;
  });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(
    `\nCPU per ${stream ? 'streamed' : 'JSON'} ${surface}${store ? ' (store: true)' : ''} pass-through request, ${per * BLOCKS} requests per path in ${BLOCKS} interleaved blocks, ` +
      `${conns === 1 ? 'sequential' : `${conns} connections`} (load average now ${load})\n` +
      `| process | CPU per request | of it, main thread | ÷ bare | wall per request |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
  if (flags.prof) {
    await gw.stop();
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${profDir}`);
    const summary = formatSummary(summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')), tree.root, 40, window));
    mkdirSync('bench/results/profiles', { recursive: true });
    const base = `bench/results/profiles/${new Date().toISOString().slice(0, 10)}-${tree.commit.slice(0, 7)}-${surface}${stream ? '-stream' : ''}-c${conns}`;
    copyFileSync(join(profDir, file), `${base}.cpuprofile`);
    writeFileSync(`${base}.md`, `${summary}\n`);
    process.stdout.write(`\n${summary}\nprofile: ${base}.cpuprofile, summary: ${base}.md\n`);
  }
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other?.remove();
}

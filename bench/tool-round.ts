// The two tool-loop targets of issue 20 alone, in about a minute, for iterating on them: the gateway's
// cost of one MCP tool round (loop − 1-round − direct round − direct tool, as tool-loop.ts) and
// `/mcp` tools/call − the direct SDK call; beside them the bare /mcp floor (bare-mcp-proxy.ts: node:http
// to the same stdio server, nothing else), so floor − direct is the process hop any proxy pays and
// `/mcp` − floor is the gateway's own part. With --vs <ref> the gateway built at that commit runs
// beside this tree's, every sample interleaved, so outside load falls on both alike. Also the
// gateway's (and the floor's) CPU time per request of each kind (utime + stime), which load moves much less,
// and this process's own (the calling agent's SDK client: `process.cpuUsage()` around each call), which
// says whether a server's answers make its client work harder (the floor's and the gateway's /mcp rows).
// A process that serves one kind of sample (each with --mcp-only) also gets its CPU over the whole
// measured phase divided by the samples ("whole run"): /proc counts CPU in 10 ms ticks, so the sum of
// per-call differences is off by ±10–20% over 600 calls, the whole-run figure by one tick (and it
// counts what the process does between its calls, timers and its ledger thread, too).
//   npx tsx bench/tool-round.ts [--no-build] [--n 600] [--warmup 2000] [--vs main] [--mcp-only]
// --mcp-only: only the /mcp rows (direct tool, the bare floor, each gateway's /mcp call), no chat
// rounds: about half the time, for iterating on `/mcp` alone.
// --vs also takes a directory holding an already built tree (its dist/), to skip the build when
// iterating: `git archive main | tar -x -C /tmp/m && ln -s $PWD/node_modules /tmp/m && (cd /tmp/m && npx tsc)`.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOOL_NAME, VK_TOOLS } from './constants.js';
import { chatBody, endpoint, toolLoopBody } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { SequentialSampler } from './load.js';
import { connectBareMcpTool, connectDirectTool, connectGatewayMcpTool, type DirectTool } from './mcp-direct.js';
import type { Proc } from './procs.js';
import { cpuUs, startVsGateway, treeLabel, vsLabel, vsTree } from './compare.js';
import { startBareMcpProxy, startGatewayProc, startMock } from './stack.js';
import { summarize } from './stats.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    n: { type: 'string' },
    warmup: { type: 'string' },
    vs: { type: 'string' },
    'mcp-only': { type: 'boolean' },
  },
  strict: true,
});
const n = Number(flags.n ?? 600);
// Enough for V8 to have compiled /mcp's path (see toolWarmup in run.ts); 200 measured warm-up.
const warmup = Number(flags.warmup ?? 2000);
const mcpOnly = flags['mcp-only'] === true;
interface Sample {
  name: string;
  run: () => Promise<number>;
  /** The process (gateway or floor) whose CPU this sample spends (none for the direct paths). */
  proc?: Proc;
  us: number[];
  cpu: number;
  /** This process's CPU (the SDK client's side of the call), µs summed over the measured samples. */
  clientCpu: number;
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-tool-round-'));
const procs: Proc[] = [];
const tools: DirectTool[] = [];
const sampler = new SequentialSampler();
const loadBefore = loadavg();
try {
  const mock = await startMock();
  procs.push(mock);
  const configPath = writeGatewayConfig(dir, mock.url);
  const gateways: { label: string; proc: Proc }[] = [];
  const gw = await startGatewayProc({ name: 'gateway', configPath, dbPath: join(dir, 'ledger.db') });
  procs.push(gw);
  gateways.push({ label: treeLabel(tree), proc: gw });
  if (other) {
    const vs = await startVsGateway(other, configPath, dir);
    procs.push(vs);
    gateways.push({ label: vsLabel(flags.vs!, other), proc: vs });
  }
  const direct = await connectDirectTool('echo', { message: 'ping' });
  tools.push(direct);
  const samples: Sample[] = [{ name: 'direct tool', run: () => direct.call(), us: [], cpu: 0, clientCpu: 0 }];
  if (!mcpOnly)
    samples.push({
      name: 'direct round',
      run: () => sampler.sample(endpoint('direct', mock.url, chatBody())),
      us: [],
      cpu: 0,
      clientCpu: 0,
    });
  const floorProc = await startBareMcpProxy();
  if (floorProc) {
    procs.push(floorProc);
    const viaFloor = await connectBareMcpTool(floorProc.url, 'echo', { message: 'ping' });
    tools.push(viaFloor);
    samples.push({ name: 'bare /mcp floor', run: () => viaFloor.call(), proc: floorProc, us: [], cpu: 0, clientCpu: 0 });
  }
  for (const [i, g] of gateways.entries()) {
    const viaMcp = await connectGatewayMcpTool(g.proc.url, VK_TOOLS, TOOL_NAME, { message: 'ping' });
    tools.push(viaMcp);
    const loop = endpoint(`loop-${i}`, g.proc.url, toolLoopBody(), VK_TOOLS);
    const plain = endpoint(`plain-${i}`, g.proc.url, chatBody(), VK_TOOLS);
    if (!mcpOnly)
      samples.push(
        { name: `${g.label} loop`, run: () => sampler.sample(loop), proc: g.proc, us: [], cpu: 0, clientCpu: 0 },
        { name: `${g.label} 1-round`, run: () => sampler.sample(plain), proc: g.proc, us: [], cpu: 0, clientCpu: 0 },
      );
    samples.push({ name: `${g.label} /mcp call`, run: () => viaMcp.call(), proc: g.proc, us: [], cpu: 0, clientCpu: 0 });
  }
  const wholeRun = new Map<Proc, number>();
  for (let i = 0; i < warmup + n; i++) {
    if (i === warmup) for (const s of samples) if (s.proc) wholeRun.set(s.proc, cpuUs(s.proc.child.pid));
    for (let j = 0; j < samples.length; j++) {
      const s = samples[(i + j) % samples.length]!;
      const before = s.proc ? cpuUs(s.proc.child.pid) : 0;
      const client = process.cpuUsage();
      const us = await s.run();
      if (i < warmup) continue;
      const spent = process.cpuUsage(client);
      s.clientCpu += spent.user + spent.system;
      s.us.push(us);
      if (s.proc) s.cpu += cpuUs(s.proc.child.pid) - before;
    }
  }
  for (const [proc, start] of wholeRun) wholeRun.set(proc, cpuUs(proc.child.pid) - start);
  const p50 = (name: string) => summarize(samples.find((s) => s.name === name)!.us).p50;
  const lines = samples.map((s) => {
    const sum = summarize(s.us);
    const alone = s.proc && samples.filter((o) => o.proc === s.proc).length === 1;
    const whole = alone ? ` (whole run ${Math.round(wholeRun.get(s.proc!)! / n)})` : '';
    const cpu = s.proc ? `, ${s.proc === floorProc ? 'floor' : 'gateway'} CPU ${Math.round(s.cpu / n)}${whole} µs/req` : '';
    return `  ${s.name.padEnd(28)} p50 ${Math.round(sum.p50)} µs, p90 ${Math.round(sum.p90)} µs${cpu}, client CPU ${Math.round(s.clientCpu / n)} µs/req`;
  });
  const floor = floorProc ? p50('bare /mcp floor') : Number.NaN;
  if (floorProc) lines.push(`  bare /mcp floor − direct ${Math.round(floor - p50('direct tool'))} µs (the process hop)`);
  for (const g of gateways) {
    const round = mcpOnly
      ? ''
      : `tool round ${Math.round(p50(`${g.label} loop`) - p50(`${g.label} 1-round`) - p50('direct round') - p50('direct tool'))} µs (≤ 1000), `;
    const mcp = p50(`${g.label} /mcp call`) - p50('direct tool');
    const overFloor = floorProc ? `, /mcp − floor ${Math.round(p50(`${g.label} /mcp call`) - floor)} µs` : '';
    lines.push(`  ${g.label}: ${round}/mcp − direct ${Math.round(mcp)} µs (≤ 1000)${overFloor}`);
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(`\n${n} interleaved samples each (load ${load(loadBefore)} → ${load(loadavg())}):\n${lines.join('\n')}\n`);
} finally {
  await sampler.close();
  for (const t of tools) await t.close().catch(() => undefined);
  for (const p of procs) await p.stop();
  rmSync(dir, { recursive: true, force: true });
  other?.remove();
  tree.cleanup();
}

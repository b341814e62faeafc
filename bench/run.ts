// `npm run bench`: builds, starts the mock upstream, the two floors (bare node:http + undici, and
// Hono + @hono/node-server + undici) and two gateway processes (ledger on, and TOLLGATE_LEDGER=off),
// then measures in one interleaved run:
//   1. latency over kept-alive connections, request by request: direct / floors / gateway, JSON and SSE;
//   2. throughput at 64 connections, phases interleaved in rounds: direct / floors / gateway on / off;
//   3. a one-round MCP tool loop through the gateway, and /mcp tools/call, vs the tool called directly
//      (and through the bare /mcp floor, bench/bare-mcp-proxy.ts);
//   4. memory: the gateway's RSS after each of three 60 s runs at 64 connections;
//   5. the pass-through surfaces (bench/pass-through.ts: Messages to an Anthropic upstream, Responses to a
//      native Responses upstream), latency and throughput against their own bare floor, as in 1 and 2;
//   6. the README's ledger reports over a generated 1M-row ledger (bench/ledger-queries.ts).
// Writes bench/results/<date>-<shortcommit>-<time>.json and prints a pass/fail table of issue 20's
// targets, with the machine's load average (other processes) before and after.
// Flags: --no-build; --quick (short smoke run; its numbers are not the benchmark); --at <git ref>
// (bench that commit, built in a temp dir); --soak-seconds <n> / --soak-runs <n> (memory phase,
// default 3 × 60 s; longer soaks are an option); --ledger-rows <n> (default 1000000).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VK_PLAIN, VK_TOOLS, TOOL_NAME } from './constants.js';
import { chatBody, endpoint, RESPONSES_PATH, responsesBody, toolLoopBody } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { countLedgerRows } from './ledger-rows.js';
import { interleavedLatency, throughput, type Endpoint, type ThroughputResult } from './load.js';
import { connectBareMcpTool, connectDirectTool, connectGatewayMcpTool } from './mcp-direct.js';
import type { ReportTiming } from './ledger-queries.js';
import { measureToolLoop } from './tool-loop.js';
import { benchPassThrough } from './pass-through.js';
import { buildReport } from './summary.js';
import { ledgerReportsEntry, startBareMcpProxy, startBareProxy, startGatewayProc, startMock, startProxy } from './stack.js';
import { spawn } from 'node:child_process';
import { prepareTree } from './tree.js';
import { round, summarize } from './stats.js';
import type { Proc } from './procs.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    quick: { type: 'boolean' },
    at: { type: 'string' },
    'soak-seconds': { type: 'string' },
    'soak-runs': { type: 'string' },
    'ledger-rows': { type: 'string' },
  },
  strict: true,
});
const quick = flags.quick === true;
const P = {
  latencyN: quick ? 300 : 3000,
  // 2,000 per path, so the measured phase measures the steady state, not V8 still tiering up: each
  // phase starts a fresh gateway, and at 500 per path 169 TurboFan jobs still finished inside the
  // pass-through phase's measured requests (50 at 2,000; bench/README "Warm-up and mark-compacts").
  latencyWarmup: quick ? 100 : 2000,
  connections: 64,
  // Many short rounds rather than two long ones: a burst of load from elsewhere on the machine
  // then spoils one round per path, and the median round ignores it.
  tputRounds: quick ? 2 : 5,
  tputSeconds: quick ? 1 : 2,
  tputWarmupSeconds: quick ? 0.5 : 1,
  toolN: quick ? 50 : 300,
  // /mcp's path (the MCP SDK's server side, zod's generated parsers) is used by no earlier phase:
  // at 30 warm-up calls V8 was still compiling it (262 TurboFan jobs between calls 300 and 2300),
  // which measured JIT warm-up, not the steady cost (see bench/README, "Where /mcp's time goes").
  toolWarmup: quick ? 100 : 2000,
  soakSeconds: Number(flags['soak-seconds'] ?? (quick ? 5 : 60)),
  soakRuns: Number(flags['soak-runs'] ?? 3),
  ledgerRows: Number(flags['ledger-rows'] ?? (quick ? 100_000 : 1_000_000)),
  ledgerRuns: 5,
};

const log = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg();
  const tree = prepareTree({ at: flags.at, noBuild: flags['no-build'] });

  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const procs: Proc[] = [];
  try {
    const mock = await startMock();
    procs.push(mock);
    const proxy = await startProxy(mock.url);
    procs.push(proxy);
    const bare = await startBareProxy(mock.url);
    if (bare) procs.push(bare);
    const configPath = writeGatewayConfig(dir, mock.url);
    const gwOnDb = join(dir, 'ledger-on.db');
    const gwOffDb = join(dir, 'ledger-off.db');
    const gw = await startGatewayProc({ name: 'gateway', configPath, dbPath: gwOnDb });
    procs.push(gw);
    const gwOff = await startGatewayProc({ name: 'gateway-ledger-off', configPath, dbPath: gwOffDb, env: { TOLLGATE_LEDGER: 'off' } });
    procs.push(gwOff);
    log(`mock ${mock.url}  bare ${bare?.url ?? 'n/a'}  hono ${proxy.url}  gateway ${gw.url}  gateway(ledger off) ${gwOff.url}`);
    const rssAtStart = gw.rss();

    // Every request the ledger-on gateway answers, so its ledger can be checked for lost rows.
    let gatewayRequests = 0;

    // 1. Latency, interleaved request by request.
    const json = chatBody();
    const sse = chatBody({ stream: true });
    const lat: Endpoint[] = [
      endpoint('direct', mock.url, json),
      ...(bare ? [endpoint('bare', bare.url, json)] : []),
      endpoint('hono', proxy.url, json),
      endpoint('gateway', gw.url, json, VK_PLAIN),
      // Also here so both gateways are warmed (JIT) the same before the throughput phase.
      endpoint('gateway-ledger-off', gwOff.url, json, VK_PLAIN),
      endpoint('direct-stream', mock.url, sse),
      ...(bare ? [endpoint('bare-stream', bare.url, sse)] : []),
      endpoint('hono-stream', proxy.url, sse),
      endpoint('gateway-stream', gw.url, sse, VK_PLAIN),
      // The Responses surface (Codex, the Agents SDK): the same answer, translated through chat.
      endpoint('gateway-responses', gw.url, responsesBody(), VK_PLAIN, RESPONSES_PATH),
      endpoint('gateway-responses-stream', gw.url, responsesBody({ stream: true }), VK_PLAIN, RESPONSES_PATH),
    ];
    log(`latency: ${P.latencyWarmup} warm-up + ${P.latencyN} sequential requests per path, interleaved…`);
    const latency = await interleavedLatency(lat, P.latencyN, P.latencyWarmup);
    gatewayRequests += 4 * (P.latencyN + P.latencyWarmup);
    const latSummary = Object.fromEntries([...latency].map(([k, v]) => [k, summarize(v)]));

    // 2. Throughput at 64 connections: warm each path, then rounds with a rotating order.
    const tputTargets: { name: string; e: Endpoint; proc?: Proc }[] = [
      { name: 'direct', e: endpoint('direct', mock.url, json) },
      ...(bare ? [{ name: 'bare', e: endpoint('bare', bare.url, json) }] : []),
      { name: 'hono', e: endpoint('hono', proxy.url, json) },
      { name: 'gateway', e: endpoint('gateway', gw.url, json, VK_PLAIN), proc: gw },
      { name: 'gateway-ledger-off', e: endpoint('gateway-ledger-off', gwOff.url, json, VK_PLAIN), proc: gwOff },
    ];
    log(`throughput: ${P.connections} connections, ${P.tputRounds} rounds × ${P.tputSeconds}s per path…`);
    for (const t of tputTargets) {
      const r = await throughput(t.e, P.connections, P.tputWarmupSeconds);
      if (t.proc === gw) gatewayRequests += r.requests + r.errors;
    }
    const tput = new Map<string, ThroughputResult[]>(tputTargets.map((t) => [t.name, []]));
    for (let round = 0; round < P.tputRounds; round++) {
      for (let j = 0; j < tputTargets.length; j++) {
        const t = tputTargets[(round + j) % tputTargets.length]!;
        const r = await throughput(t.e, P.connections, P.tputSeconds);
        tput.get(t.name)!.push(r);
        if (t.proc === gw) gatewayRequests += r.requests + r.errors;
        log(`  ${t.name.padEnd(20)} ${Math.round(r.rps)} req/s${r.errors ? ` (${r.errors} errors: ${r.firstError})` : ''}`);
      }
    }
    // 3. RSS right after the throughput phase.
    const rss = {
      gateway: gw.rss(),
      gatewayLedgerOff: gwOff.rss(),
      proxy: proxy.rss(),
      bare: bare?.rss() ?? null,
      gatewayAtStart: rssAtStart,
    };

    // 3. Tool loop and /mcp tools/call vs the direct MCP call.
    log(`tool loop and /mcp: ${P.toolWarmup} warm-up + ${P.toolN} iterations, interleaved…`);
    const direct = await connectDirectTool('echo', { message: 'ping' });
    const viaMcp = await connectGatewayMcpTool(gw.url, VK_TOOLS, TOOL_NAME, { message: 'ping' });
    const mcpFloor = await startBareMcpProxy();
    if (mcpFloor) procs.push(mcpFloor);
    const viaFloor = mcpFloor ? await connectBareMcpTool(mcpFloor.url, 'echo', { message: 'ping' }) : undefined;
    let tool: Awaited<ReturnType<typeof measureToolLoop>>;
    try {
      tool = await measureToolLoop({
        loop: endpoint('gateway-tool-loop', gw.url, toolLoopBody(), VK_TOOLS),
        plainTools: endpoint('gateway-tools-plain', gw.url, json, VK_TOOLS),
        direct: endpoint('direct', mock.url, json),
        directTool: direct,
        mcpEndpoint: viaMcp,
        ...(viaFloor ? { mcpFloor: viaFloor } : {}),
        n: P.toolN,
        warmup: P.toolWarmup,
      });
    } finally {
      await direct.close();
      await viaMcp.close();
      await viaFloor?.close();
    }
    // The loop request, the one-round request, and the /mcp tools/call (a request row of its own, surface mcp).
    gatewayRequests += 3 * (P.toolN + P.toolWarmup);

    // 4. Memory: RSS after each soak run at 64 connections (is it bounded, and flat?).
    log(`memory: ${P.soakRuns} × ${P.soakSeconds}s at ${P.connections} connections…`);
    const soak = { rss: [] as (number | null)[], rps: [] as number[], errors: 0, heapUsed: [] as number[], heapTotal: [] as number[] };
    for (let i = 0; i < P.soakRuns; i++) {
      const r = await throughput(endpoint('gateway', gw.url, json, VK_PLAIN), P.connections, P.soakSeconds);
      gatewayRequests += r.requests + r.errors;
      soak.rss.push(gw.rss());
      soak.rps.push(Math.round(r.rps));
      soak.errors += r.errors;
      // The main isolate's heap (from /metrics): live objects vs what V8 keeps reserved.
      const heap = await heapOf(gw.url);
      soak.heapUsed.push(heap.used);
      soak.heapTotal.push(heap.total);
      log(
        `  run ${i + 1}: ${Math.round(r.rps)} req/s, RSS ${((soak.rss.at(-1) ?? 0) / 1048576).toFixed(1)} MB, V8 heap used ${(heap.used / 1048576).toFixed(1)} of ${(heap.total / 1048576).toFixed(1)} MB`,
      );
    }

    // Stop the gateways (SIGTERM drains and flushes), then look at what their ledgers hold.
    for (const p of procs) await p.stop();
    const ledgerOn = countLedgerRows(gwOnDb);
    const ledgerOff = countLedgerRows(gwOffDb);

    // 5. The pass-through surfaces: their own mock, bare floor and gateway (same shape, other providers).
    const passThrough = await benchPassThrough(dir, P, log);

    // 6. Ledger reports, with nothing else of ours running.
    const reports = await ledgerReports(P.ledgerRows, P.ledgerRuns);

    const report = buildReport({
      params: P,
      quick,
      latency: latSummary,
      throughput: Object.fromEntries(tput),
      rss,
      soak,
      tool,
      toolName: TOOL_NAME,
      ledger: { on: ledgerOn, off: ledgerOff, gatewayRequests },
      reports,
      passThrough,
    });
    const short = tree.commit.slice(0, 7);
    const date = new Date();
    const result = {
      date: date.toISOString(),
      commit: tree.commit,
      dirty: tree.dirty,
      ref: tree.ref,
      // Other processes on the machine: the load averages (1, 5, 15 min) before and after the run.
      loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadavg().map((x) => round(x, 2)) },
      build: tree.build,
      machine: {
        os: `${osType()} ${release()}`,
        cpus: cpus()
          .map((c) => c.model)
          .filter((m, i, a) => a.indexOf(m) === i),
        cpuCount: cpus().length,
        memoryBytes: totalmem(),
        node: process.version,
      },
      ...report.json,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync('bench/results', { recursive: true });
    // A file per run: several runs of one commit (the three quiet runs) each keep theirs.
    const file = `bench/results/${date.toISOString().slice(0, 16).replace(':', '')}-${short}${quick ? '-quick' : ''}.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log('');
    log(
      `## Tollgate bench — ${result.date.slice(0, 16).replace('T', ' ')} UTC, commit ${short}${result.dirty ? ' (uncommitted changes)' : ''}`,
    );
    log(
      `${result.machine.os}, ${result.machine.cpuCount}× ${result.machine.cpus.join(', ')}, Node ${result.machine.node}, load average (1/5/15 min) ${result.loadAverage.before.join(' ')} before → ${result.loadAverage.after.join(' ')} after${quick ? ' — QUICK RUN, not the benchmark' : ''}`,
    );
    log('');
    log(report.markdown);
    log('');
    log(`results: ${file} (${result.durationSeconds}s)`);
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    tree.cleanup();
  }
}

async function heapOf(url: string): Promise<{ used: number; total: number }> {
  const text = await (await fetch(`${url}/metrics`)).text().catch(() => '');
  const gauge = (name: string) => Number(new RegExp(`^tollgate_${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { used: gauge('nodejs_heap_size_used_bytes'), total: gauge('nodejs_heap_size_total_bytes') };
}

/** Runs bench/ledger-reports.js of the tree under test in its own process; a string says why not. */
async function ledgerReports(rows: number, runs: number): Promise<{ rows: number; timings: ReportTiming[] } | string> {
  const entry = ledgerReportsEntry();
  if (!entry) return 'n/a (no bench/ledger-reports at this commit)';
  const child = spawn(process.execPath, [entry.script, String(rows), String(runs)], {
    cwd: entry.cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) if (line && !line.startsWith('{')) log(line);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const last = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) return `failed (exit ${code})`;
  return { rows, timings: (JSON.parse(last) as { reports: ReportTiming[] }).reports };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});

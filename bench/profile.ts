// Profiles the gateway under the throughput load: the production-shaped gateway (compiled JS,
// governance, ledger on) runs with `node --cpu-prof`, 64 connections drive it for a fixed time,
// SIGTERM makes it exit cleanly (which writes the profile), then profile-summary.ts reports.
//   npx tsx bench/profile.ts [--at <ref>] [--no-build] [--seconds 10] [--stream] [--tools] [--mcp] [--interval-us 1000]
// --interval-us: V8's sampling interval (--cpu-prof-interval; default 1000 µs), finer for short paths.
// --tools uses the key that gets the MCP tool list injected (no tool is called); --mcp profiles
// sequential `tools/call`s through the gateway's /mcp endpoint (MCP SDK client) instead of chat.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOOL_NAME, VK_PLAIN, VK_TOOLS } from './constants.js';
import { connectGatewayMcpTool } from './mcp-direct.js';
import { chatBody, endpoint } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { throughput } from './load.js';
import { formatSummary, summarizeProfile } from './profile-summary.js';
import type { Proc } from './procs.js';
import { startGatewayProc, startMock } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    at: { type: 'string' },
    'no-build': { type: 'boolean' },
    seconds: { type: 'string' },
    stream: { type: 'boolean' },
    tools: { type: 'boolean' },
    mcp: { type: 'boolean' },
    'interval-us': { type: 'string' },
  },
  strict: true,
});
const seconds = Number(flags.seconds ?? 10);
const log = (s: string) => process.stdout.write(`${s}\n`);
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const tree = prepareTree({ at: flags.at, noBuild: flags['no-build'] });
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-profile-'));
  const profDir = join(dir, 'prof');
  const procs: Proc[] = [];
  try {
    const mock = await startMock();
    procs.push(mock);
    const gw = await startGatewayProc({
      name: 'gateway',
      configPath: writeGatewayConfig(dir, mock.url),
      dbPath: join(dir, 'ledger.db'),
      nodeFlags: [
        '--cpu-prof',
        `--cpu-prof-dir=${profDir}`,
        ...(flags['interval-us'] ? [`--cpu-prof-interval=${flags['interval-us']}`] : []),
      ],
    });
    procs.push(gw);
    // Only the measured load counts: start-up (module loading, MCP connect) and warm-up are left out.
    const window = { fromUs: 0, toUs: Number.POSITIVE_INFINITY };
    let count = 0;
    if (flags.mcp) {
      const tool = await connectGatewayMcpTool(gw.url, VK_TOOLS, TOOL_NAME, { message: 'ping' });
      // Past V8's compiling of the /mcp path (toolWarmup in run.ts), so the profile is the steady state.
      for (let i = 0; i < 2000; i++) await tool.call();
      log(`profiling ${tree.commit.slice(0, 7)} (${tree.ref}): sequential /mcp tools/call for ${seconds}s…`);
      let calls = 0;
      let us = 0;
      window.fromUs = nowUs();
      for (const end = performance.now() + seconds * 1000; performance.now() < end; calls++) us += await tool.call();
      window.toUs = nowUs();
      count = calls;
      await tool.close();
      log(`${calls} calls, mean ${Math.round(us / calls)} µs; RSS ${((gw.rss() ?? 0) / 1048576).toFixed(1)} MB`);
    } else {
      const e = endpoint('gateway', gw.url, chatBody({ stream: flags.stream === true }), flags.tools ? VK_TOOLS : VK_PLAIN);
      await throughput(e, 64, 1);
      log(
        `profiling ${tree.commit.slice(0, 7)} (${tree.ref}): 64 connections for ${seconds}s${flags.stream ? ', streaming' : ''}${flags.tools ? ', tools injected' : ''}…`,
      );
      window.fromUs = nowUs();
      const r = await throughput(e, 64, seconds);
      window.toUs = nowUs();
      count = r.requests;
      log(`${Math.round(r.rps)} req/s, ${r.errors} errors; RSS ${((gw.rss() ?? 0) / 1048576).toFixed(1)} MB`);
    }
    await gw.stop();
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${profDir}`);
    const summarized = summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')), tree.root, 25, window);
    // The main thread's busy time per request (the ledger worker and the kernel's other threads are not in it).
    const perRequest = count
      ? `; main thread busy ${Math.round(((summarized.totalMs - summarized.idleMs) * 1000) / count)} µs per request (${count} requests)`
      : '';
    const summary = `${formatSummary(summarized)}${perRequest}`;
    mkdirSync('bench/results/profiles', { recursive: true });
    const base = `bench/results/profiles/${new Date().toISOString().slice(0, 10)}-${tree.commit.slice(0, 7)}${flags.stream ? '-stream' : ''}${flags.tools ? '-tools' : ''}${flags.mcp ? '-mcp' : ''}`;
    copyFileSync(join(profDir, file), `${base}.cpuprofile`);
    writeFileSync(`${base}.md`, `${summary}\n`);
    log(`\n${summary}`);
    log(`profile: ${base}.cpuprofile (open in Chrome DevTools → Performance, or speedscope); summary: ${base}.md`);
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    tree.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});

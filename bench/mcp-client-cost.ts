// The calling agent's side of a `/mcp` tools/call (issue 20: what the bare /mcp floor's hop is made
// of). The same MCP SDK v1 client calls `echo` directly over stdio, through the bare /mcp floor and
// through the gateway, every sample interleaved; and the floor and the gateway once more through a
// client whose fetch is handed no AbortSignal. Why that variant: the SDK's StreamableHTTPClientTransport
// passes one long-lived signal to every fetch, and Node 20's fetch adds an abort listener to it per
// request that only garbage collection of the request takes off again; each fetch also lists
// the listeners already there (getEventListeners) and walks them (addEventListener), so a client's
// calls get slower as the pile grows. Printed per path: p50/p90, this process's CPU per call
// (`process.cpuUsage()` around the call: the SDK client's side), the server's CPU over the measured
// phase per call (shared by the two clients of one server), and the listeners left on the signal.
// Information, not a target: the target stays `/mcp` − direct with the SDK client as agents run it.
//   npx tsx bench/mcp-client-cost.ts [--no-build] [--n 1500] [--warmup 2000] [--paths direct,floor,…] [--prof <path>]
// --prof <path>: only that path, with this process's CPU profile (V8, 100 µs) summarised by owner.
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { everythingServer } from '../tests/helpers/wire.js';
import { cpuUs } from './compare.js';
import { TOOL_NAME, VK_TOOLS } from './constants.js';
import { writeGatewayConfig } from './gateway-config.js';
import type { Proc } from './procs.js';
import { startBareMcpProxy, startGatewayProc, startMock } from './stack.js';
import { summarize } from './stats.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    n: { type: 'string' },
    warmup: { type: 'string' },
    paths: { type: 'string' },
    prof: { type: 'string' },
  },
  strict: true,
});
const n = Number(flags.n ?? 1500);
const warmup = Number(flags.warmup ?? 2000);
const wanted = new Set(flags.prof ? [flags.prof] : (flags.paths ?? 'direct,floor,floor-nosignal,gateway,gateway-nosignal').split(','));
const noSignal: typeof fetch = (url, init) => fetch(url, { ...init, signal: null });

interface Path {
  name: string;
  client: Client;
  transport: StdioClientTransport | StreamableHTTPClientTransport;
  tool: string;
  server?: Proc;
  us: number[];
  cpu: number;
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const dir = mkdtempSync(join(tmpdir(), 'tollgate-mcp-client-'));
const procs: Proc[] = [];
const paths: Path[] = [];
async function add(name: string, transport: Path['transport'], tool: string, server?: Proc): Promise<void> {
  if (!wanted.has(name)) return;
  const client = new Client({ name: 'tollgate-bench', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  paths.push({ name, client, transport, tool, ...(server ? { server } : {}), us: [], cpu: 0 });
}
const http = (url: string, init?: RequestInit, fetchFn?: typeof fetch) =>
  new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    ...(init ? { requestInit: init } : {}),
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });

try {
  const server = everythingServer();
  await add('direct', new StdioClientTransport({ command: server.command, args: server.args, stderr: 'ignore' }), 'echo');
  if (wanted.has('floor') || wanted.has('floor-nosignal')) {
    const floor = (await startBareMcpProxy())!;
    procs.push(floor);
    await add('floor', http(floor.url), 'echo', floor);
    await add('floor-nosignal', http(floor.url, undefined, noSignal), 'echo', floor);
  }
  if (wanted.has('gateway') || wanted.has('gateway-nosignal')) {
    const mock = await startMock();
    procs.push(mock);
    const gw = await startGatewayProc({ name: 'gateway', configPath: writeGatewayConfig(dir, mock.url), dbPath: join(dir, 'ledger.db') });
    procs.push(gw);
    const key = { headers: { authorization: `Bearer ${VK_TOOLS}` } };
    await add('gateway', http(gw.url, key), TOOL_NAME, gw);
    await add('gateway-nosignal', http(gw.url, key, noSignal), TOOL_NAME, gw);
  }
  const loadBefore = loadavg();
  const serverCpu = new Map<Proc, number>();
  let profiler: Session | undefined;
  for (let i = 0; i < warmup + n; i++) {
    if (i === warmup) {
      for (const p of paths) if (p.server) serverCpu.set(p.server, cpuUs(p.server.child.pid));
      if (flags.prof) profiler = await startProfiler();
    }
    for (let j = 0; j < paths.length; j++) {
      const p = paths[(i + j) % paths.length]!;
      const before = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const result = await p.client.callTool({ name: p.tool, arguments: { message: 'ping' } });
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      if (result.isError) throw new Error(`${p.name}: ${JSON.stringify(result.content)}`);
      if (i < warmup) continue;
      const spent = process.cpuUsage(before);
      p.cpu += spent.user + spent.system;
      p.us.push(us);
    }
  }
  for (const [proc, start] of serverCpu) serverCpu.set(proc, cpuUs(proc.child.pid) - start);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const lines = paths.map((p) => {
    const s = summarize(p.us);
    const sharing = paths.filter((o) => o.server === p.server).length;
    const srv = p.server
      ? `, server CPU ${Math.round(serverCpu.get(p.server)! / n / sharing)} µs/call${sharing > 1 ? ' (shared)' : ''}`
      : '';
    const signal = (p.transport as unknown as { _abortController?: AbortController })._abortController?.signal;
    const pile = signal ? `, ${getEventListeners(signal, 'abort').length} abort listeners on its signal` : '';
    return `  ${p.name.padEnd(17)} p50 ${Math.round(s.p50)} µs, p90 ${Math.round(s.p90)} µs, client CPU ${Math.round(p.cpu / n)} µs/call${srv}${pile}`;
  });
  process.stdout.write(
    `\n${n} interleaved calls each after ${warmup} (load ${load(loadBefore)} → ${load(loadavg())}):\n${lines.join('\n')}\n`,
  );
  if (profiler) process.stdout.write(summarizeByOwner(await stopProfiler(profiler), n));
} finally {
  for (const p of paths) await p.client.close().catch(() => undefined);
  for (const p of procs) await p.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
}

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return session;
}

type Profile = {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  samples: number[];
  startTime: number;
  endTime: number;
};

async function stopProfiler(session: Session): Promise<Profile> {
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  return profile;
}

/** Self time per call by who owns the code (Node's fetch, web streams, the SDK, zod, …). */
function summarizeByOwner(profile: Profile, calls: number): string {
  const owner = (url: string, fn: string): string => {
    if (!url) return fn === '(garbage collector)' ? 'GC' : `native ${fn}`;
    if (url.includes('deps/undici')) return 'fetch (undici in node)';
    if (url.includes('webstreams')) return 'web streams';
    if (url.includes('event_target') || url === 'node:events') return 'events, event targets (abort listeners)';
    if (url.includes('/zod/')) return 'zod';
    if (url.includes('@modelcontextprotocol/sdk')) return 'MCP SDK client';
    return url.startsWith('node:') ? 'node, other' : 'bench';
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const { url, functionName } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const key = owner(url, functionName);
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const perSample = (profile.endTime - profile.startTime) / profile.samples.length;
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 14);
  return `this process's busy time per call, by owner (self):\n${rows.map(([k, c]) => `  ${((c * perSample) / calls).toFixed(1).padStart(6)} µs  ${k}`).join('\n')}\n`;
}

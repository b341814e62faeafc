// The bench's memory phase on its own, with the gateway's startup footprint first:
//   npx tsx bench/memory.ts [--soak-seconds 60] [--soak-runs 3] [--node-flags "--max-semi-space-size=2"] [--env "MALLOC_TOP_PAD_=0"] [--ledger-off]
// Starts the mock upstream and one gateway as `npm start` runs it (package.json's node flags and
// environment; --node-flags and --env add more, for experiments only) in its bench shape
// (bench/gateway-config.ts, ledger on), reads its RSS (anonymous and file-backed) and V8 heap split
// 3 s after it listens, calls a tool through /mcp a few times (so both MCP SDKs are loaded, as in
// the full bench), then runs the soak: N runs at 64 connections, RSS and heap after each. RSS is
// the gateway process's own (VmRSS); its stdio MCP server is a separate process and not counted.
// Uses the compiled tree in dist/ (build with `npx tsc -p tsconfig.json`). Writes
// bench/results/<time>-<commit>-memory.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { TOOL_NAME, VK_PLAIN, VK_TOOLS } from './constants.js';
import { chatBody, endpoint } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { throughput } from './load.js';
import { connectGatewayMcpTool } from './mcp-direct.js';
import type { Proc } from './procs.js';
import { requireBuild, startCommand, startGatewayProc, startMock } from './stack.js';

const { values: flags } = parseArgs({
  options: {
    'soak-seconds': { type: 'string' },
    'soak-runs': { type: 'string' },
    'node-flags': { type: 'string' },
    env: { type: 'string' },
    'ledger-off': { type: 'boolean' },
  },
  strict: true,
});
const soakSeconds = Number(flags['soak-seconds'] ?? 60);
const soakRuns = Number(flags['soak-runs'] ?? 3);
const nodeFlags = (flags['node-flags'] ?? '').split(' ').filter(Boolean);
// NAME=value pairs added to npm start's environment (glibc's MALLOC_* tunables, say).
const extraEnv = Object.fromEntries(
  (flags.env ?? '')
    .split(' ')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const MB = 1048576;
const mb = (n: number | null) => (n === null ? null : Math.round((n / MB) * 10) / 10);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Heap {
  used: number;
  total: number;
  external: number;
  /** Committed size per V8 space (new, old, code, large_object…). */
  spaces: Record<string, number>;
}

/** The main isolate's heap, from the gateway's /metrics (prom-client's default process metrics). */
async function heapOf(url: string): Promise<Heap> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^tollgate_${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  const spaces: Record<string, number> = {};
  for (const m of text.matchAll(/^tollgate_nodejs_heap_space_size_total_bytes\{space="([^"]+)"\} (\S+)/gm))
    spaces[m[1]!] = mb(Number(m[2]))!;
  return {
    used: gauge('nodejs_heap_size_used_bytes'),
    total: gauge('nodejs_heap_size_total_bytes'),
    external: gauge('nodejs_external_memory_bytes'),
    spaces,
  };
}

/**
 * RSS split into anonymous memory (heaps, malloc, stacks) and file-backed pages (the node binary,
 * libraries), the resident part of glibc's main malloc arena (`[heap]`: native allocations
 * such as SQLite's page cache, which the V8 heap figures do not include), and that of its other
 * arenas (`arenasMb`: what threads other than the main one malloc, e.g. V8's background compiler
 * and the ledger writer). glibc maps each such arena as a 64 MB-aligned reservation whose used
 * part is read-write and the rest `---p`; V8's pages are 256 KB mappings of their own.
 */
function rssSplit(pid: number | undefined): {
  anonMb: number | null;
  fileMb: number | null;
  mallocMb: number | null;
  arenasMb: number | null;
} {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
    const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    const malloc = /\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(smaps);
    const ARENA = 64 * MB;
    const maps = [...smaps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+ *(\S*)\n(?:(?![0-9a-f]+-).*\n)*?Rss:\s+(\d+) kB/gm)].map(
      (m) => ({
        start: Number.parseInt(m[1]!, 16),
        end: Number.parseInt(m[2]!, 16),
        perm: m[3]!,
        name: m[4]!,
        rss: Number(m[5]) * 1024,
      }),
    );
    let arenas = 0;
    maps.forEach((m, i) => {
      const rest = maps[i + 1];
      const whole = rest && rest.start === m.end && rest.perm.startsWith('---') ? rest.end : m.end;
      if (m.name === '' && m.perm.startsWith('rw') && m.start % ARENA === 0 && whole - m.start === ARENA) arenas += m.rss;
    });
    return {
      anonMb: mb(kb('Anonymous')),
      fileMb: mb(kb('Rss') - kb('Anonymous')),
      mallocMb: malloc ? mb(Number(malloc[1]) * 1024) : null,
      arenasMb: mb(arenas),
    };
  } catch {
    return { anonMb: null, fileMb: null, mallocMb: null, arenasMb: null };
  }
}

const snapshot = async (gw: Proc) => {
  const heap = await heapOf(gw.url);
  return {
    rssMb: mb(gw.rss()),
    ...rssSplit(gw.child.pid),
    heapUsedMb: mb(heap.used),
    heapTotalMb: mb(heap.total),
    externalMb: mb(heap.external),
    spacesMb: heap.spaces,
    load: load(),
  };
};

async function main(): Promise<void> {
  requireBuild();
  const loadBefore = load();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-memory-'));
  const procs: Proc[] = [];
  try {
    const mock = await startMock();
    procs.push(mock);
    const gw = await startGatewayProc({
      name: 'gateway',
      configPath: writeGatewayConfig(dir, mock.url),
      dbPath: join(dir, 'ledger.db'),
      nodeFlags,
      // What the ledger costs in memory (a diagnostic, as the full bench's ledger-off variant).
      env: { ...extraEnv, ...(flags['ledger-off'] ? { TOLLGATE_LEDGER: 'off' } : {}) },
    });
    procs.push(gw);
    await sleep(3000);
    const startup = await snapshot(gw);
    log(
      `startup: RSS ${startup.rssMb} MB (anon ${startup.anonMb}, files ${startup.fileMb}, malloc ${startup.mallocMb} + arenas ${startup.arenasMb}), heap ${startup.heapUsedMb} used of ${startup.heapTotalMb} MB ${JSON.stringify(startup.spacesMb)} (load ${startup.load.join(' ')})`,
    );

    const mcp = await connectGatewayMcpTool(gw.url, VK_TOOLS, TOOL_NAME, { message: 'ping' });
    for (let i = 0; i < 20; i++) await mcp.call();
    await mcp.close();

    const runs = [];
    for (let i = 0; i < soakRuns; i++) {
      const r = await throughput(endpoint('gateway', gw.url, chatBody(), VK_PLAIN), 64, soakSeconds);
      const s = { rps: Math.round(r.rps), errors: r.errors, ...(await snapshot(gw)) };
      runs.push(s);
      log(
        `run ${i + 1}: ${s.rps} req/s, RSS ${s.rssMb} MB (anon ${s.anonMb}, files ${s.fileMb}, malloc ${s.mallocMb} + arenas ${s.arenasMb}), heap ${s.heapUsedMb} used of ${s.heapTotalMb} MB ${JSON.stringify(s.spacesMb)} (load ${s.load.join(' ')})`,
      );
    }
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'mcp', 'bench'], { encoding: 'utf8' }).trim() !==
      '';
    const date = new Date();
    const result = {
      date: date.toISOString(),
      commit,
      dirty,
      node: process.version,
      npmStart: startCommand(),
      nodeFlags,
      env: extraEnv,
      ledgerOff: Boolean(flags['ledger-off']),
      params: { soakSeconds, soakRuns, connections: 64 },
      loadAverage: { before: loadBefore, after: load() },
      startup,
      runs,
    };
    mkdirSync('bench/results', { recursive: true });
    const file = `bench/results/${date.toISOString().slice(0, 16).replace(':', '')}-${commit.slice(0, 7)}-memory.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`results: ${file}`);
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`memory bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});

// Where a pass-through request's allocations come from: the gateway runs with the inspector on, the
// sampling heap profiler counts every sampled allocation (objects collected since included), and
// the bytes are summed per function (self) and per file (once per stack), per request.
//   npx tsx bench/pass-through-heap.ts [--surface messages|responses] [--stream] [--n 10000] [--conns 32] [--no-build] [--dist <a built tree>] [--promoted] [--gw-flags=...]
// --dist profiles the gateway of another built tree (e.g. a snapshot of main) on the same harness.
// --promoted counts only what outlived the young generation (objects a scavenge collected left
// out): the bytes each request adds to the old space, which mark-compacts then have to collect.
// --gw-flags adds node flags to the gateway's (say --no-allocation-site-pretenuring).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool, WebSocket } from 'undici';
import { VK_PLAIN } from './constants.js';
import { passThroughEndpoint, startPassThrough, SURFACE_FLAGS, surfaceOf } from './pass-through.js';
import type { Proc } from './procs.js';
import { requestBlock } from './compare.js';
import { startGatewayProc } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    ...SURFACE_FLAGS,
    dist: { type: 'string' },
    promoted: { type: 'boolean' },
    'gw-flags': { type: 'string' },
  },
  strict: true,
});
const surface = surfaceOf(flags.surface);
const stream = flags.stream === true;
const n = Number(flags.n ?? 10000);
const conns = Number(flags.conns ?? 32);

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const dir = mkdtempSync(join(tmpdir(), 'tollgate-pt-heap-'));
const procs: Proc[] = [];
const stack = await startPassThrough(dir);
try {
  const port = 9400 + Math.floor(Math.random() * 500);
  const gw = await startGatewayProc({
    name: 'gateway-heap',
    configPath: stack.configPath,
    dbPath: join(dir, 'heap.db'),
    nodeFlags: [`--inspect=127.0.0.1:${port}`, ...(flags['gw-flags']?.split(' ').filter(Boolean) ?? [])],
    dist: flags.dist ? join(flags.dist, 'dist') : undefined,
  });
  procs.push(gw);
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(list[0]!.webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener('open', r, { once: true }));
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const i = ++id;
      pending.set(i, resolve);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  const e = passThroughEndpoint('gateway', gw.url, surface, stream, VK_PLAIN);
  const pool = new Pool(e.origin, { connections: conns, pipelining: 1 });
  await requestBlock(pool, e, 3000, conns);
  await call('HeapProfiler.enable');
  await call('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: flags.promoted !== true,
  });
  await requestBlock(pool, e, n, conns);
  const { profile } = (await call('HeapProfiler.stopSampling')) as { profile: { head: Node } };
  ws.close();
  await pool.close();
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  const short = (url: string) => url.replace(/^file:\/\/.*?\/dist\//, '').replace(/^file:\/\/.*?\/node_modules\//, 'nm/');
  const walk = (node: Node, files: Set<string>) => {
    const f = node.callFrame;
    const key = `${f.functionName || '(anon)'} ${short(f.url)}:${f.lineNumber + 1}`;
    const file = short(f.url) || '(native)';
    const mine = new Set(files).add(file);
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const x of mine) byFile.set(x, (byFile.get(x) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c, mine);
  };
  walk(profile.head, new Set());
  const per = (b: number) => `${(b / n).toFixed(0)} B`;
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, b]) => `| ${per(b)} | ${name} |`)
      .join('\n');
  process.stdout.write(
    `\n${flags.promoted ? 'Promoted (outlived the young generation)' : 'Allocated'} per ${stream ? 'streamed' : 'JSON'} ${surface} request (sampling heap profiler, ${flags.promoted ? 'objects a scavenge collected left out' : 'collected objects included'}): ${per(total)}\n` +
      `### self, by function\n| per request | where |\n| ---: | --- |\n${top(self, 40)}\n` +
      `### by file (once per stack)\n| per request | where |\n| ---: | --- |\n${top(byFile, 40)}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
}

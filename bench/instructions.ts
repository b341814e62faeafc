// Instructions per request (valgrind's callgrind), for the bare floor, this tree's gateway and,
// with --vs, the gateway built at another commit. Why: on this shared 2-core machine CPU time and
// latency move with whatever else runs (other helpers' tests and benches), and a 5% change hides
// in that noise; an instruction count does not depend on the machine's load. Every process runs
// under callgrind (all its threads counted: the main thread, the ledger's writer, V8's GC and
// compiler helpers), ~50× slower than natively, so it answers ~100–300 requests a second.
//   npx tsx bench/instructions.ts [--surface chat|messages|responses] [--stream] [--vs <git ref>]
//       [--n 400] [--blocks 5] [--warmup 3000] [--no-build]
// After the warm-up, the paths take turns in blocks: counters zeroed (callgrind_control -z), n
// requests, counters dumped (-d), the dump's total read. The table gives each path's median and
// range over its blocks, per request. What it cannot say: time spent waiting (system calls are
// counted by their user-space side only, and a cache miss costs no more than a hit), so it is a
// check on CPU work, beside the wall-clock bench, not instead of it. Blocks differ by a few per
// cent (a garbage collection or a late TurboFan job falls in one or another), hence the median.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { VK_PLAIN } from './constants.js';
import { requestBlock, treeLabel, vsLabel, vsTree } from './compare.js';
import { chatBody, endpoint } from './endpoints.js';
import { gatewayConfig } from './gateway-config.js';
import type { Endpoint } from './load.js';
import { passThroughConfig, passThroughEndpoint } from './pass-through.js';
import type { Proc } from './procs.js';
import { startBareProxy, startGatewayProc, startMock, startMockPassThrough } from './stack.js';
import { prepareTree } from './tree.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    surface: { type: 'string' },
    stream: { type: 'boolean' },
    vs: { type: 'string' },
    n: { type: 'string' },
    blocks: { type: 'string' },
    warmup: { type: 'string' },
  },
  strict: true,
});
const surface = flags.surface ?? 'chat';
if (surface !== 'chat' && surface !== 'messages' && surface !== 'responses') throw new Error('--surface is chat, messages or responses');
const stream = flags.stream === true;
const n = Number(flags.n ?? 400);
const blocks = Number(flags.blocks ?? 5);
const warmup = Number(flags.warmup ?? 3000);

try {
  execFileSync('valgrind', ['--version']);
} catch {
  throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
}

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-instr-'));
/** Each process's dumps go to <dir>/<name>.out.<k>; the counters start when the warm-up is over (-z). */
const callgrind = (name: string): string[] => [
  'valgrind',
  '--tool=callgrind',
  // V8 writes and rewrites machine code at run time.
  '--smc-check=all-non-file',
  `--callgrind-out-file=${join(dir, `${name}.out`)}`,
];

interface Path {
  name: string;
  file: string;
  proc: Proc;
  e: Endpoint;
  pool: Pool;
  perRequest: number[];
}

/** The total of the newest dump of `file` (callgrind numbers its dumps .1, .2, …). */
function lastDumpTotal(file: string): number {
  const dumps = readdirSync(dir)
    .filter((f) => f.startsWith(`${file}.out.`))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const text = readFileSync(join(dir, dumps.at(-1)!), 'utf8');
  const total = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (!total) throw new Error(`no totals in ${dumps.at(-1)}`);
  return Number(total[1]);
}

const procs: Proc[] = [];
try {
  const chat = surface === 'chat';
  const mock = chat ? await startMock() : await startMockPassThrough();
  procs.push(mock);
  const configPath = join(dir, 'tollgate.bench.json');
  writeFileSync(configPath, JSON.stringify(chat ? gatewayConfig(mock.url) : passThroughConfig(mock.url), null, 2));
  const at = (name: string, proc: Proc, key?: string) =>
    chat
      ? endpoint(name, proc.url, chatBody(stream ? { stream: true } : {}), key)
      : passThroughEndpoint(name, proc.url, surface, stream, key);
  const paths: Path[] = [];
  const add = (name: string, file: string, proc: Proc, key?: string) => {
    procs.push(proc);
    const e = at(name, proc, key);
    paths.push({ name, file, proc, e, pool: new Pool(e.origin, { connections: 1, keepAliveTimeout: 120_000 }), perRequest: [] });
  };
  add('bare floor', 'bare', (await startBareProxy(mock.url, callgrind('bare')))!);
  const gw = await startGatewayProc({ name: 'gateway', configPath, dbPath: join(dir, 'ledger.db'), launcher: callgrind('gateway') });
  add(`gateway (${treeLabel(tree)})`, 'gateway', gw, VK_PLAIN);
  if (other) {
    const launcher = callgrind('vs');
    const vs = await startGatewayProc({
      name: 'gateway-vs',
      configPath,
      dbPath: join(dir, 'ledger-vs.db'),
      dist: join(other.root, 'dist'),
      launcher,
    });
    add(`gateway at ${vsLabel(flags.vs!, other)}`, 'vs', vs, VK_PLAIN);
  }
  const control = (p: Path, op: '-z' | '-d') => execFileSync('callgrind_control', [op, String(p.proc.child.pid)], { stdio: 'ignore' });
  // Warm-up in slices, taking turns, so no path's JIT runs while another's is measured.
  for (let done = 0; done < warmup; done += 500) for (const p of paths) await requestBlock(p.pool, p.e, Math.min(500, warmup - done), 1);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < paths.length; i++) {
      const p = paths[(b + i) % paths.length]!;
      control(p, '-z');
      await requestBlock(p.pool, p.e, n, 1);
      control(p, '-d');
      p.perRequest.push(lastDumpTotal(p.file) / n);
    }
  }
  for (const p of paths) await p.pool.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const k = (x: number) => `${Math.round(x / 1000).toLocaleString('en')}k`;
  const bare = median(paths[0]!.perRequest);
  const rows = paths.map((p) => {
    const m = median(p.perRequest);
    return `| ${p.name} | ${k(m)} | ${k(Math.min(...p.perRequest))}–${k(Math.max(...p.perRequest))} | ${(m / bare).toFixed(2)}× |`;
  });
  process.stdout.write(
    `\nInstructions per ${stream ? 'streamed' : 'JSON'} ${surface} request (callgrind, every thread), ${blocks} blocks of ${n} ` +
      `sequential requests per path after ${warmup} warm-up\n` +
      `| process | median per request | range over blocks | ÷ bare |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other?.remove();
}

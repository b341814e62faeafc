// System calls per request (strace -c on each process) for the bare floor and the gateway, over
// the same sequential chat requests. A count, so unlike time it does not move with other load on
// the machine. On this VM a loopback writev is the most expensive call on the chat path (it also
// runs the receiving side's TCP work), so one write more than the floor shows up as latency.
//   npx tsx bench/syscalls.ts [--no-build] [--surface chat|messages|responses] [--stream] [--n 300] [--vs <git ref>]
// --vs adds the gateway built at another commit (snapshot.ts), counted in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VK_PLAIN } from './constants.js';
import { chatBody, endpoint } from './endpoints.js';
import { writeGatewayConfig } from './gateway-config.js';
import { SequentialSampler } from './load.js';
import type { Proc } from './procs.js';
import { countCalls, startVsGateway, treeLabel, vsLabel, vsTree } from './compare.js';
import { startBareProxy, startGatewayProc, startMock } from './stack.js';
import { prepareTree } from './tree.js';
import { passThroughEndpoint, startPassThrough, SURFACES, type Surface } from './pass-through.js';

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    stream: { type: 'boolean' },
    n: { type: 'string' },
    vs: { type: 'string' },
    surface: { type: 'string' },
  },
  strict: true,
});
const n = Number(flags.n ?? 300);
const surface = (flags.surface ?? 'chat') as 'chat' | Surface;
if (surface !== 'chat' && !SURFACES.includes(surface)) throw new Error('--surface is chat, messages or responses');
const SHOWN = ['writev', 'write', 'read', 'futex'];

const tree = prepareTree({ noBuild: flags['no-build'] });
const other = vsTree(flags.vs);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-syscalls-'));
const procs: Proc[] = [];
try {
  let bare: Proc;
  let gw: Proc;
  let configPath: string;
  if (surface === 'chat') {
    const mock = await startMock();
    procs.push(mock);
    bare = (await startBareProxy(mock.url))!;
    procs.push(bare);
    configPath = writeGatewayConfig(dir, mock.url);
    gw = await startGatewayProc({ name: 'gateway', configPath, dbPath: join(dir, 'ledger.db') });
    procs.push(gw);
  } else {
    // The pass-through stack (its own mock, floor and gateway): stopped with the rest.
    const stack = await startPassThrough(dir);
    procs.push(stack.gateway, stack.bare, stack.mock);
    ({ bare, gateway: gw, configPath } = stack);
  }
  const body = chatBody(flags.stream ? { stream: true } : {});
  const endpointOf = (name: string, url: string, key: string | undefined) =>
    surface === 'chat' ? endpoint(name, url, body, key) : passThroughEndpoint(name, url, surface, flags.stream === true, key);
  const paths: [string, Proc, string | undefined][] = [
    ['bare', bare, undefined],
    [`gateway (${treeLabel(tree)})`, gw, VK_PLAIN],
  ];
  if (other) {
    const vs = await startVsGateway(other, configPath, dir);
    procs.push(vs);
    paths.push([`gateway at ${vsLabel(flags.vs!, other)}`, vs, VK_PLAIN]);
  }
  const sampler = new SequentialSampler();
  const rows: string[] = [];
  for (const [name, proc, key] of paths) {
    const e = endpointOf(name, proc.url, key);
    for (let i = 0; i < 200; i++) await sampler.sample(e); // warm-up (JIT, pools)
    const calls = await countCalls(proc.child.pid!, async () => {
      for (let i = 0; i < n; i++) await sampler.sample(e);
    });
    rows.push(`| ${name} | ${SHOWN.map((s) => ((calls.get(s) ?? 0) / n).toFixed(2)).join(' | ')} |`);
  }
  await sampler.close();
  process.stdout.write(
    `\nSystem calls per ${flags.stream ? 'streamed' : 'JSON'} ${surface} request (${n} sequential requests, all threads)\n` +
      `| process | ${SHOWN.join(' | ')} |\n|${' --- |'.repeat(SHOWN.length + 1)}\n${rows.join('\n')}\n`,
  );
} finally {
  for (const p of procs) await p.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  tree.cleanup();
  other?.remove();
}

// What the same-run comparison tools share (cpu-per-request, pass-through-cpu, tool-round,
// sse-latency, syscalls): the tree named by --vs and a second gateway started from it, their labels,
// the CPU time a process or thread has used, and a block of requests over a pool.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'undici';
import type { Endpoint } from './load.js';
import type { Proc } from './procs.js';
import { exportSnapshot, type Snapshot } from './snapshot.js';
import { startGatewayProc } from './stack.js';
import type { Tree } from './tree.js';

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** CPU time (utime + stime) a process, or one of its threads, has used so far, in µs. */
export function cpuUs(pid: number | undefined, tid?: string): number {
  const fields = readFileSync(`/proc/${pid}/${tid ? `task/${tid}/` : ''}stat`, 'utf8')
    .split(') ')[1]!
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/**
 * --vs: the gateway built at that git ref (exported and compiled, snapshot.ts), or a directory
 * already holding a built tree (its dist/), which skips the build when iterating. Prints a warning
 * when the ref's build failed.
 */
export function vsTree(vs: string | undefined): Snapshot | undefined {
  if (vs === undefined) return undefined;
  const other = existsSync(join(vs, 'dist/src/main.js'))
    ? { root: vs, commit: 'prebuilt', build: { ok: true }, remove: () => undefined }
    : exportSnapshot(vs);
  if (!other.build.ok) process.stdout.write(`WARNING (--vs ${vs}): ${other.build.note}\n`);
  return other;
}

/** The tree under test, as the tables name it: its commit, and whether uncommitted changes are in it. */
export const treeLabel = (tree: Tree): string => `${tree.commit.slice(0, 7)}${tree.dirty ? ', dirty' : ''}`;

/** The --vs tree, as the tables name it. */
export const vsLabel = (vs: string, other: Snapshot): string => (other.commit === 'prebuilt' ? vs : `${vs} (${other.commit.slice(0, 7)})`);

/** A second gateway, from the --vs tree's dist/, with the same config and a ledger of its own. */
export const startVsGateway = (other: Snapshot, configPath: string, dir: string): Promise<Proc> =>
  startGatewayProc({ name: 'gateway-vs', configPath, dbPath: join(dir, 'ledger-vs.db'), dist: join(other.root, 'dist') });

/** `count` requests over `pool`, `conns` at a time; each body is read to the end (a stream's [DONE]). */
export async function requestBlock(pool: Pool, e: Endpoint, count: number, conns: number): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const res = await pool.request({ method: 'POST', path: e.path, headers: e.headers, body: e.body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${e.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(conns, count) }, worker));
}

/** strace -c's table for `pid` (threads included) while `run` runs: calls per syscall name. */
export async function countCalls(pid: number, run: () => Promise<void>): Promise<Map<string, number>> {
  const strace = spawn('strace', ['-f', '-c', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  strace.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  // strace prints "Process N attached" once it is tracing.
  while (!out.includes('attached')) await new Promise((r) => setTimeout(r, 20));
  await run();
  const closed = new Promise((r) => strace.on('close', r));
  strace.kill('SIGINT');
  await closed;
  const calls = new Map<string, number>();
  for (const line of out.split('\n')) {
    // % time, seconds, usecs/call, calls, [errors,] syscall
    const f = line.trim().split(/\s+/);
    if (f.length >= 5 && /^[\d.]+$/.test(f[0]!) && /^\d+$/.test(f[3]!)) calls.set(f[f.length - 1]!, Number(f[3]));
  }
  return calls;
}

// Child processes of the bench: start one, wait until it says where it listens, read its RSS,
// stop it gracefully (SIGTERM, so the gateway drains, flushes its ledger and writes --cpu-prof).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

export interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote to stdout/stderr (for error reports). */
  output(): string;
  /** Resident set size in bytes from /proc/<pid>/status (VmRSS), or null off Linux. */
  rss(): number | null;
  stop(): Promise<void>;
}

export interface StartProc {
  name: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** Finds the listening port in the process output. */
  port: (output: string) => number | undefined;
  timeoutMs?: number;
  cwd?: string;
  /** A program that runs node for us (e.g. valgrind and its options); node and args follow it. */
  launcher?: readonly string[];
}

export const jsonPort = (out: string): number | undefined => {
  const m = /\{"port":(\d+)\}/.exec(out);
  return m ? Number(m[1]) : undefined;
};

export const gatewayPort = (out: string): number | undefined => {
  const m = /tollgate listening on http:\/\/[^:]+:(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
};

export function readRss(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export async function startProc(opts: StartProc): Promise<Proc> {
  // An undefined value removes the variable from the child's environment.
  const env = Object.fromEntries(Object.entries({ ...process.env, ...opts.env }).filter((e): e is [string, string] => e[1] !== undefined));
  const [command, ...args] = opts.launcher?.length ? [...opts.launcher, process.execPath, ...opts.args] : [process.execPath, ...opts.args];
  const child = spawn(command!, args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.name} did not start in time:\n${out}`)), opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const p = opts.port(out);
      if (p !== undefined) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited (${code}) before listening:\n${out}`));
    });
  });
  // Keep draining the pipes so a chatty child never blocks on a full pipe; keep a bounded tail.
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return {
    name: opts.name,
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    rss: () => readRss(child.pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

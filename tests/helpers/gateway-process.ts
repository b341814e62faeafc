// The gateway as users run it: `npm start`'s compiled `dist/src/main.js` (with its flags) in a child process, on a
// free loopback port. Tests that need a real process (signals, crashes, several replicas, the CLI
// flags) start it here and nowhere else. `npm test` builds dist first (tests/run-tests.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { npmStartCommand } from './npm-start.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the output contains `text`; rejects if the process exits first. */
  printed(text: string): Promise<void>;
  /** SIGTERM (drains, flushes the ledger) and waits for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would, and waits for the exit. */
  kill(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Extra environment (TOLLGATE_DB, secrets, …) over the test process's own. */
  env?: Record<string, string>;
  /** LOG_LEVEL for the child (default warn: tests read only what they wait for). */
  logLevel?: string;
}

/** Starts `node [npm start's flags] dist/src/main.js --config <configPath>` and resolves once it is listening. */
export async function startGatewayProcess(
  configPath: string,
  { env = {}, logLevel = 'warn' }: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (\`npm test\` does)`);
  const npmStart = npmStartCommand(root);
  const child = spawn(process.execPath, [...npmStart.nodeFlags, entry, '--config', configPath, '--port', '0', '--host', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, ...npmStart.env, LOG_LEVEL: logLevel, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const check of waiters) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!out.includes(text)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void exited.then((code) => {
        if (waiters.delete(check)) reject(new Error(`gateway exited (${code}) before printing "${text}":\n${out}`));
      });
    });

  await printed('listening on ');
  const url = /listening on (http:\/\/[\d.:]+)/.exec(out)![1]!;
  return {
    url,
    child,
    output: () => out,
    printed,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

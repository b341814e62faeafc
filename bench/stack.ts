// Starts the processes under test, each in its own process, from the compiled JS in dist/:
// the mock upstream, the floor proxy, and the gateway as `npm start` runs it (its node flags and
// environment, from package.json) in its production shape. Extra gateway variants (ledger off,
// --cpu-prof) differ only in env and added node flags.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { npmStartCommand, type NpmStart } from '../tests/helpers/npm-start.js';
import { everythingServer } from '../tests/helpers/wire.js';
import { gatewayPort, jsonPort, startProc, type Proc } from './procs.js';

// The compiled tree under test: the repo's dist/, or a snapshot's (see snapshot.ts).
let DIST = join(process.cwd(), 'dist');

export function useDist(dir: string): void {
  DIST = dir;
}

/** The compiled tree under test (for processes started from it by other bench modules). */
export const distDir = (): string => DIST;

export function requireBuild(): void {
  for (const f of ['src/main.js', 'bench/mock-upstream.js', 'bench/proxy.js']) {
    if (!existsSync(join(DIST, f))) throw new Error(`${join(DIST, f)} is missing: run \`npx tsc -p tsconfig.json\` first`);
  }
}

export const startMock = (): Promise<Proc> =>
  startProc({ name: 'mock', args: [join(DIST, 'bench/mock-upstream.js')], env: { PORT: '0' }, port: jsonPort });

/** The Anthropic Messages and OpenAI Responses mock (mock-pass-through.ts). */
export const startMockPassThrough = (): Promise<Proc> =>
  startProc({ name: 'mock-pass-through', args: [join(DIST, 'bench/mock-pass-through.js')], port: jsonPort });

export const startProxy = (upstream: string): Promise<Proc> =>
  startProc({ name: 'proxy', args: [join(DIST, 'bench/proxy.js')], env: { PORT: '0', UPSTREAM: upstream }, port: jsonPort });

/** The bare node:http + undici floor; absent from commits older than it (then null). */
export const startBareProxy = (upstream: string, launcher?: readonly string[]): Promise<Proc> | null =>
  existsSync(join(DIST, 'bench/bare-proxy.js'))
    ? startProc({
        name: 'bare-proxy',
        args: [join(DIST, 'bench/bare-proxy.js')],
        env: { PORT: '0', UPSTREAM: upstream },
        port: jsonPort,
        launcher,
        timeoutMs: launcher ? 120_000 : undefined,
      })
    : null;

/** The bare /mcp floor (node:http → one stdio server-everything); absent from commits older than it (then null). */
export function startBareMcpProxy(): Promise<Proc> | null {
  if (!existsSync(join(DIST, 'bench/bare-mcp-proxy.js'))) return null;
  const server = everythingServer();
  return startProc({
    name: 'bare-mcp-proxy',
    args: [join(DIST, 'bench/bare-mcp-proxy.js')],
    env: { PORT: '0', MCP_COMMAND: server.command, MCP_ARGS: JSON.stringify(server.args) },
    port: jsonPort,
  });
}

/** Ledger reports (bench/ledger-reports.ts) in the tree under test; null for commits older than it. */
export function ledgerReportsEntry(): { script: string; cwd: string } | null {
  const script = join(DIST, 'bench/ledger-reports.js');
  return existsSync(script) ? { script, cwd: dirname(DIST) } : null;
}

export interface GatewayVariant {
  name: string;
  configPath: string;
  dbPath: string;
  env?: Record<string, string>;
  nodeFlags?: string[];
  /** Another compiled tree (a snapshot's dist/) to run, e.g. the `--vs` gateway of cpu-per-request.ts. */
  dist?: string;
  /** Runs node under this program (instructions.ts: valgrind). */
  launcher?: readonly string[];
}

/** How `npm start` of a compiled tree (default: the one under test) runs the gateway: its env and node flags; no bench-only flags. */
export const startCommand = (dist = DIST): NpmStart => npmStartCommand(dirname(dist));

export function startGatewayProc(v: GatewayVariant): Promise<Proc> {
  const dist = v.dist ?? DIST;
  const npmStart = startCommand(dist);
  return startProc({
    name: v.name,
    args: [
      ...npmStart.nodeFlags,
      ...(v.nodeFlags ?? []),
      join(dist, 'src/main.js'),
      '--config',
      v.configPath,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    // Production shape: warn-level logs, no admin token (admin API off), nothing inherited that
    // would change behaviour (TOLLGATE_CONFIG, PORT…); the ledger variant is the only switch.
    env: {
      TOLLGATE_CONFIG: undefined,
      PORT: undefined,
      TOLLGATE_ADMIN_TOKEN: undefined,
      TOLLGATE_LEDGER: undefined,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      TOLLGATE_DB: v.dbPath,
      ...npmStart.env,
      ...v.env,
    },
    port: gatewayPort,
    timeoutMs: v.launcher ? 180_000 : 60_000,
    launcher: v.launcher,
    // Its own tree's root, so anything resolved from the working directory is that version's.
    cwd: dirname(dist),
  });
}

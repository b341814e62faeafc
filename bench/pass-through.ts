// The pass-through surfaces, measured as chat is: an Anthropic client to an Anthropic upstream
// (POST /v1/messages: the client's bytes with only `model` rewritten, the answer relayed as it
// came) and a Responses client to a native Responses upstream (POST /v1/responses, the same), each
// beside its bare floor forwarding the same request to the same mock.
// Processes (compiled JS, loopback): the Messages + Responses mock (mock-pass-through.ts), the bare
// floor (bare-proxy.ts) and a gateway in the production shape of gateway-config.ts (same
// governance, budgets, rate limits, ledger, metrics and MCP server) whose providers are an
// `anthropic` one and an `openai` one with `"apis": ["chat", "responses"]`.
// Phases, in run.ts's style: latency interleaved request by request (direct / bare / gateway, JSON
// and SSE, both surfaces), then throughput at `connections` in interleaved rounds (bare and gateway,
// JSON, both surfaces). Names: direct-messages, bare-messages-stream, gateway-native-responses, …
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { VK_PLAIN } from './constants.js';
import { gatewayConfig } from './gateway-config.js';
import { countLedgerRows, type LedgerRows } from './ledger-rows.js';
import { interleavedLatency, throughput, type Endpoint, type ThroughputResult } from './load.js';
import type { Proc } from './procs.js';
import { startBareProxy, startGatewayProc, startMockPassThrough } from './stack.js';
import { summarize, type Summary } from './stats.js';

export type Surface = 'messages' | 'responses';

/** The flags the pass-through comparison tools share (pass-through-cpu, -alloc, -heap); each adds its own. */
export const SURFACE_FLAGS = {
  'no-build': { type: 'boolean' },
  surface: { type: 'string' },
  n: { type: 'string' },
  stream: { type: 'boolean' },
  conns: { type: 'string' },
} as const;

/** --surface: messages (the default) or responses. */
export function surfaceOf(flag: string | undefined): Surface {
  const surface = flag ?? 'messages';
  if (surface !== 'messages' && surface !== 'responses') throw new Error('--surface is messages or responses');
  return surface;
}
export const SURFACES: readonly Surface[] = ['messages', 'responses'];

const PATHS: Record<Surface, string> = { messages: '/v1/messages', responses: '/v1/responses' };
/** In path names: run.ts's phase 1 already has gateway-responses (Responses translated through chat). */
export const LABEL: Record<Surface, string> = { messages: 'messages', responses: 'native-responses' };

/**
 * The request an Anthropic client (Claude Code's shape, trimmed) or a Responses client (Codex's:
 * store false; with `store`, the Agents SDK's default: the gateway keeps each response) sends.
 */
export function passThroughBody(surface: Surface, stream: boolean, store = false): string {
  if (surface === 'messages')
    return JSON.stringify({
      model: 'claude/claude-bench',
      max_tokens: 64,
      system: 'You are a concise assistant.',
      messages: [{ role: 'user', content: 'Say hello to the benchmark in one short sentence.' }],
      ...(stream ? { stream: true } : {}),
    });
  return JSON.stringify({
    model: 'oai/bench-model',
    instructions: 'You are a concise assistant.',
    input: 'Say hello to the benchmark in one short sentence.',
    max_output_tokens: 64,
    store,
    ...(stream ? { stream: true } : {}),
  });
}

/** The same body to any of the three; the key is the gateway's virtual key, or the upstream's own. */
export function passThroughEndpoint(
  name: string,
  origin: string,
  surface: Surface,
  stream: boolean,
  key = 'sk-bench',
  store = false,
): Endpoint {
  const headers: Record<string, string> =
    surface === 'messages'
      ? { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key }
      : { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  return { name, origin, path: PATHS[surface], headers, body: passThroughBody(surface, stream, store) };
}

export function passThroughConfig(upstreamUrl: string): Record<string, unknown> {
  const base = gatewayConfig(upstreamUrl) as { virtualKeys: Record<string, unknown>[] };
  const keys = [{ value: 'sk-bench' }];
  return {
    ...base,
    providers: {
      claude: { type: 'anthropic', baseUrl: upstreamUrl, keys, models: ['claude-bench'], maxRetries: 2 },
      oai: { type: 'openai', baseUrl: `${upstreamUrl}/v1`, apis: ['chat', 'responses'], keys, models: ['bench-model'], maxRetries: 2 },
    },
    pricing: {
      'claude/claude-bench': { inputPerMTok: 3, outputPerMTok: 15 },
      'oai/bench-model': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    },
    virtualKeys: base.virtualKeys.map((k) => ({ ...k, models: ['claude/*', 'oai/*'] })),
  };
}

export interface PassThroughStack {
  mock: Proc;
  bare: Proc;
  gateway: Proc;
  dbPath: string;
  configPath: string;
  stop(): Promise<void>;
}

/** Starts the mock, the bare floor and the gateway under test. */
export async function startPassThrough(dir: string): Promise<PassThroughStack> {
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const mock = await startMockPassThrough();
    procs.push(mock);
    const bare = (await startBareProxy(mock.url))!;
    procs.push(bare);
    const configPath = join(dir, 'tollgate.bench-pass-through.json');
    writeFileSync(configPath, JSON.stringify(passThroughConfig(mock.url), null, 2));
    const dbPath = join(dir, 'pass-through.db');
    const gateway = await startGatewayProc({ name: 'gateway-pass-through', configPath, dbPath });
    procs.push(gateway);
    return { mock, bare, gateway, dbPath, configPath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface PassThroughResult {
  latency: Record<string, Summary>;
  throughput: Record<string, ThroughputResult[]>;
  /** What the gateway's ledger holds after it stopped, against the requests it was sent. */
  ledger: LedgerRows & { gatewayRequests: number };
}

export interface PassThroughParams {
  latencyN: number;
  latencyWarmup: number;
  connections: number;
  tputRounds: number;
  tputSeconds: number;
  tputWarmupSeconds: number;
}

export async function benchPassThrough(
  dir: string,
  P: PassThroughParams,
  log: (s: string) => void = () => undefined,
): Promise<PassThroughResult> {
  const stack = await startPassThrough(dir);
  let gatewayRequests = 0;
  try {
    const { mock, bare, gateway } = stack;
    const lat: Endpoint[] = [];
    for (const surface of SURFACES)
      for (const stream of [false, true]) {
        const suffix = `${LABEL[surface]}${stream ? '-stream' : ''}`;
        lat.push(
          passThroughEndpoint(`direct-${suffix}`, mock.url, surface, stream),
          passThroughEndpoint(`bare-${suffix}`, bare.url, surface, stream),
          passThroughEndpoint(`gateway-${suffix}`, gateway.url, surface, stream, VK_PLAIN),
        );
      }
    log(`pass-through latency: ${P.latencyWarmup} warm-up + ${P.latencyN} sequential requests per path, interleaved…`);
    const samples = await interleavedLatency(lat, P.latencyN, P.latencyWarmup);
    gatewayRequests += 4 * (P.latencyN + P.latencyWarmup);

    const targets = SURFACES.flatMap((surface) => [
      { name: `bare-${LABEL[surface]}`, e: passThroughEndpoint(`bare-${LABEL[surface]}`, bare.url, surface, false), gateway: false },
      {
        name: `gateway-${LABEL[surface]}`,
        e: passThroughEndpoint(`gateway-${LABEL[surface]}`, gateway.url, surface, false, VK_PLAIN),
        gateway: true,
      },
    ]);
    log(`pass-through throughput: ${P.connections} connections, ${P.tputRounds} rounds × ${P.tputSeconds}s per path…`);
    for (const t of targets) {
      const r = await throughput(t.e, P.connections, P.tputWarmupSeconds);
      if (t.gateway) gatewayRequests += r.requests + r.errors;
    }
    const tput = new Map<string, ThroughputResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < P.tputRounds; round++) {
      for (let j = 0; j < targets.length; j++) {
        const t = targets[(round + j) % targets.length]!;
        const r = await throughput(t.e, P.connections, P.tputSeconds);
        tput.get(t.name)!.push(r);
        if (t.gateway) gatewayRequests += r.requests + r.errors;
        log(`  ${t.name.padEnd(20)} ${Math.round(r.rps)} req/s${r.errors ? ` (${r.errors} errors: ${r.firstError})` : ''}`);
      }
    }
    await stack.stop();
    return {
      latency: Object.fromEntries([...samples].map(([k, v]) => [k, summarize(v)])),
      throughput: Object.fromEntries(tput),
      ledger: { ...countLedgerRows(stack.dbPath), gatewayRequests },
    };
  } finally {
    await stack.stop();
  }
}

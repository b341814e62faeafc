// Derives the headline figures from the raw measurements, judges them against issue 20's targets,
// and renders the markdown tables. Pure: everything it needs is in the input.
// The floor is the bare node:http + undici pass-through (bench/bare-proxy.ts), measured in the
// same run; the Hono floor (bench/proxy.ts) is shown beside it for reference.
import type { LedgerRows } from './ledger-rows.js';
import type { ReportTiming } from './ledger-queries.js';
import type { ThroughputResult } from './load.js';
import type { PassThroughResult } from './pass-through.js';
import { mb, pct, rps, table, us, verdictMark, type Verdict } from './report.js';
import { round, summarize, type Summary } from './stats.js';
import type { ToolLoopResult } from './tool-loop.js';

export interface ReportInput {
  params: Record<string, number>;
  quick: boolean;
  latency: Record<string, Summary>;
  throughput: Record<string, ThroughputResult[]>;
  rss: {
    gateway: number | null;
    gatewayLedgerOff: number | null;
    proxy: number | null;
    bare: number | null;
    gatewayAtStart: number | null;
  };
  /** RSS of the gateway after each soak run (`soakSeconds` at `connections`), bytes. */
  soak: { rss: (number | null)[]; rps: number[]; errors: number; heapUsed?: number[]; heapTotal?: number[] };
  tool: ToolLoopResult;
  toolName: string;
  ledger: { on: LedgerRows; off: LedgerRows; gatewayRequests: number };
  /** README ledger reports over the seeded ledger; a string says why they were not measured. */
  reports: { rows: number; timings: ReportTiming[] } | string;
  /** Messages and native Responses pass-through (bench/pass-through.ts), each against its bare floor; absent in older runs. */
  passThrough?: PassThroughResult | undefined;
}

const MB = 1048576;
/** Issue 20's limits. */
export const LIMITS = {
  throughputOfFloor: 0.6,
  addedP50OverFloorUs: 150,
  p99OverFloorUs: 1000,
  toolRoundUs: 1000,
  mcpCallUs: 1000,
  rssBytes: 150 * MB,
  /** "Flat": the last soak run's RSS at most this much above the first's. */
  rssGrowth: 0.1,
  reportMs: 100,
};

// The headline is the median round: a burst of load from elsewhere spoils a round, not the figure.
function aggregate(runs: readonly ThroughputResult[]): {
  rps: number;
  meanRps: number;
  requests: number;
  errors: number;
  rounds: number[];
} {
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const rounds = runs.map((r) => round(r.rps, 0));
  return { rps: summarize(rounds).p50, meanRps: requests / seconds, requests, errors: runs.reduce((a, r) => a + r.errors, 0), rounds };
}

export function buildReport(input: ReportInput) {
  // The pass-through phase's paths have names of their own (…-messages, …-native-responses).
  const latency: Record<string, Summary> = { ...input.latency, ...input.passThrough?.latency };
  const has = (name: string) => latency[name] !== undefined;
  const lat = (name: string): Summary => {
    const s = latency[name];
    if (!s) throw new Error(`no latency samples for ${name}`);
    return s;
  };
  // Added latency: the path's percentile minus the direct path's same percentile.
  const added = (path: string, base: string) => ({ p50: lat(path).p50 - lat(base).p50, p99: lat(path).p99 - lat(base).p99 });
  const bare = has('bare');

  const tp = Object.fromEntries(Object.entries(input.throughput).map(([k, v]) => [k, aggregate(v)]));
  const ptp = Object.fromEntries(Object.entries(input.passThrough?.throughput ?? {}).map(([k, v]) => [k, aggregate(v)]));
  const tpOf = (k: string) => tp[k]?.rps ?? NaN;
  const floorName = bare ? 'bare' : 'hono';
  const gatewayVsFloor = tpOf('gateway') / tpOf(floorName);

  // The ledger-off variant only counts if that gateway really wrote nothing.
  const offRows = input.ledger.off.requests;
  const ledgerOffHonoured = offRows === 0;
  const ledgerCost = 1 - tpOf('gateway') / tpOf('gateway-ledger-off');

  // Tool loop decomposition (medians, µs): see the note printed under the table.
  const t = input.tool;
  const appView = t.loop.p50 - 2 * t.plainTools.p50 - t.directTool.p50;
  const gatewayView = t.loop.p50 - t.plainTools.p50 - t.direct.p50 - t.directTool.p50;
  const mcpAdded = t.mcpEndpoint.p50 - t.directTool.p50;
  // The bare /mcp floor (information, not a target): floor − direct is the process hop any
  // HTTP-to-stdio proxy pays on this machine, /mcp − floor the gateway's own part.
  const mcpFloorAdded = t.mcpFloor ? t.mcpFloor.p50 - t.directTool.p50 : null;
  const mcpOverFloor = t.mcpFloor ? t.mcpEndpoint.p50 - t.mcpFloor.p50 : null;

  const soakRss = input.soak.rss;
  const soakKnown = soakRss.every((r) => r !== null) && soakRss.length > 0;
  const soakMax = soakKnown ? Math.max(...(soakRss as number[])) : NaN;
  const soakGrowth = soakKnown ? (soakRss.at(-1) as number) / (soakRss[0] as number) - 1 : NaN;

  const verdicts: Verdict[] = [];
  // Throughput (JSON only) is judged on the median rounds of `tput`: [gateway, floor] names in `rounds`.
  const floorVerdicts = (
    label: string,
    path: string,
    direct: string,
    floor: string,
    tput?: { rounds: Record<string, ReturnType<typeof aggregate>>; gateway: string; floor: string },
  ) => {
    if (!has(floor)) {
      verdicts.push({ target: `${label}: vs bare floor`, limit: '—', value: 'n/a (no bare floor at this commit)', pass: null });
      return;
    }
    const a = added(path, direct);
    const f = added(floor, direct);
    if (tput) {
      const g = tput.rounds[tput.gateway]?.rps ?? NaN;
      const b = tput.rounds[tput.floor]?.rps ?? NaN;
      verdicts.push({
        target: `${label}: throughput vs bare floor`,
        limit: `≥ ${pct(LIMITS.throughputOfFloor)}`,
        value: `${pct(g / b)} (${rps(g)} vs ${rps(b)})`,
        pass: g / b >= LIMITS.throughputOfFloor,
      });
    }
    verdicts.push({
      target: `${label}: added p50`,
      limit: `≤ floor + ${LIMITS.addedP50OverFloorUs} µs (${us(f.p50 + LIMITS.addedP50OverFloorUs)})`,
      value: `${us(a.p50)} (floor ${us(f.p50)})`,
      pass: a.p50 <= f.p50 + LIMITS.addedP50OverFloorUs,
    });
    verdicts.push({
      target: `${label}: p99`,
      limit: `≤ floor + ${LIMITS.p99OverFloorUs} µs (${us(lat(floor).p99 + LIMITS.p99OverFloorUs)})`,
      value: `${us(lat(path).p99)} (floor ${us(lat(floor).p99)})`,
      pass: lat(path).p99 <= lat(floor).p99 + LIMITS.p99OverFloorUs,
    });
  };
  floorVerdicts('chat JSON', 'gateway', 'direct', 'bare', { rounds: tp, gateway: 'gateway', floor: 'bare' });
  floorVerdicts('chat SSE', 'gateway-stream', 'direct-stream', 'bare-stream');
  const PASS_THROUGH = [
    ['Messages pass-through', 'messages'],
    ['Responses pass-through (native upstream)', 'native-responses'],
  ] as const;
  if (input.passThrough)
    for (const [label, name] of PASS_THROUGH) {
      floorVerdicts(`${label} JSON`, `gateway-${name}`, `direct-${name}`, `bare-${name}`, {
        rounds: ptp,
        gateway: `gateway-${name}`,
        floor: `bare-${name}`,
      });
      floorVerdicts(`${label} SSE`, `gateway-${name}-stream`, `direct-${name}-stream`, `bare-${name}-stream`);
    }
  verdicts.push(
    {
      target: 'one MCP tool round vs direct SDK call (gateway view)',
      limit: `≤ ${LIMITS.toolRoundUs} µs`,
      value: us(gatewayView),
      pass: gatewayView <= LIMITS.toolRoundUs,
    },
    {
      target: '/mcp tools/call vs direct SDK call (p50)',
      limit: `≤ ${LIMITS.mcpCallUs} µs`,
      value: `${us(mcpAdded)} (${us(t.mcpEndpoint.p50)} vs ${us(t.directTool.p50)})`,
      pass: mcpAdded <= LIMITS.mcpCallUs,
    },
    {
      target: `RSS after each of ${soakRss.length} × ${input.params.soakSeconds}s at ${input.params.connections} connections`,
      limit: `≤ ${mb(LIMITS.rssBytes)}`,
      value: soakRss.map(mb).join(' / '),
      pass: soakKnown ? soakMax <= LIMITS.rssBytes : null,
    },
    {
      target: 'RSS flat across those runs (last vs first)',
      limit: `≤ +${pct(LIMITS.rssGrowth)}`,
      value: soakKnown ? `${soakGrowth >= 0 ? '+' : ''}${pct(soakGrowth)}` : 'n/a',
      pass: soakKnown && soakRss.length > 1 ? soakGrowth <= LIMITS.rssGrowth : null,
    },
  );
  if (typeof input.reports === 'string') {
    verdicts.push({ target: 'ledger reports (README examples)', limit: `≤ ${LIMITS.reportMs} ms`, value: input.reports, pass: null });
  } else {
    for (const r of input.reports.timings) {
      verdicts.push({
        target: `ledger report over ${(input.reports.rows / 1e6).toFixed(input.reports.rows >= 1e6 ? 0 : 1)}M rows: ${r.title}`,
        limit: `≤ ${LIMITS.reportMs} ms`,
        value: `${r.medianMs.toFixed(1)} ms`,
        pass: r.medianMs <= LIMITS.reportMs,
      });
    }
  }

  const latencyRows = [
    ['direct', 'direct'],
    ['bare', 'direct'],
    ['hono', 'direct'],
    ['gateway', 'direct'],
    ['gateway-ledger-off', 'direct'],
    ['direct-stream', 'direct-stream'],
    ['bare-stream', 'direct-stream'],
    ['hono-stream', 'direct-stream'],
    ['gateway-stream', 'direct-stream'],
    ['gateway-responses', 'direct'],
    ['gateway-responses-stream', 'direct-stream'],
  ]
    .filter(([name]) => has(name!))
    .map(([name, base]) => {
      const s = lat(name!);
      const a = name === base ? undefined : added(name!, base!);
      return [name!, us(s.p50), us(s.p90), us(s.p99), us(s.mean), a ? us(a.p50) : '—', a ? us(a.p99) : '—'];
    });
  const tputRows = Object.entries(tp).map(([name, r]) => [
    name,
    rps(r.rps),
    rps(r.meanRps),
    r.rounds.join(' / '),
    pct(r.rps / tpOf(floorName)),
    String(r.errors),
  ]);
  const toolRows = [
    ['loop request (2 rounds + 1 tool call), p50', us(t.loop.p50), us(t.loop.p99)],
    ['gateway, same key, 1 round (tools injected), p50', us(t.plainTools.p50), us(t.plainTools.p99)],
    ['direct upstream round, p50', us(t.direct.p50), us(t.direct.p99)],
    ['direct MCP tools/call over stdio (SDK), p50', us(t.directTool.p50), us(t.directTool.p99)],
    ['/mcp tools/call through the gateway (SDK, streamable HTTP), p50', us(t.mcpEndpoint.p50), us(t.mcpEndpoint.p99)],
    ...(t.mcpFloor
      ? [
          [
            'bare /mcp floor tools/call (node:http → the same stdio server, no SDK server or governance), p50',
            us(t.mcpFloor.p50),
            us(t.mcpFloor.p99),
          ],
          ['/mcp − direct, p50 (the target)', us(mcpAdded), ''],
          ['bare /mcp floor − direct, p50 (the process hop)', us(mcpFloorAdded ?? Number.NaN), ''],
          ["/mcp − bare /mcp floor, p50 (the gateway's own part)", us(mcpOverFloor ?? Number.NaN), ''],
        ]
      : []),
    ['**added per tool call, gateway view**: loop − 1-round − direct round − direct tool', us(gatewayView), ''],
    ['added per tool call, app view: loop − 2 × 1-round − direct tool', us(appView), ''],
  ];
  const pt = input.passThrough;
  const ptNames = PASS_THROUGH.flatMap(([, name]) => [name, `${name}-stream`]);
  const ptLatencyRows = ptNames.flatMap((name) =>
    ['direct', 'bare', 'gateway']
      .filter((who) => has(`${who}-${name}`))
      .map((who) => {
        const s = lat(`${who}-${name}`);
        const a = who === 'direct' ? undefined : added(`${who}-${name}`, `direct-${name}`);
        return [`${who}-${name}`, us(s.p50), us(s.p90), us(s.p99), us(s.mean), a ? us(a.p50) : '—', a ? us(a.p99) : '—'];
      }),
  );
  const ptTputRows = Object.entries(ptp).map(([name, r]) => {
    const floor = ptp[name.replace(/^gateway-/, 'bare-')]?.rps ?? NaN;
    return [name, rps(r.rps), rps(r.meanRps), r.rounds.join(' / '), pct(r.rps / floor), String(r.errors)];
  });
  const ptMarkdown = pt
    ? [
        '',
        '### Pass-through: Messages to an Anthropic upstream, Responses to a native Responses upstream (bench/pass-through.ts)',
        table(['path', 'p50', 'p90', 'p99', 'mean', 'added p50', 'added p99'], ptLatencyRows),
        '',
        table(['path', 'median round', 'mean', 'per round (req/s)', 'median vs its bare floor', 'errors'], ptTputRows),
        '',
        `Ledger (pass-through gateway): ${pt.ledger.requests ?? '?'} request rows for ${pt.ledger.gatewayRequests} requests sent${pt.ledger.requests === pt.ledger.gatewayRequests ? ' (none lost)' : ' (MISMATCH)'}`,
      ]
    : [];
  const passed = verdicts.filter((v) => v.pass === true).length;
  const judged = verdicts.filter((v) => v.pass !== null).length;

  const markdown = [
    `### Targets (issue 20): ${passed} of ${judged} pass`,
    table(
      ['target', 'limit', 'value', 'verdict'],
      verdicts.map((v) => [v.target, v.limit, v.value, verdictMark(v)]),
    ),
    '',
    '### Latency, sequential over keep-alive (µs; added = path − direct at the same percentile)',
    table(['path', 'p50', 'p90', 'p99', 'mean', 'added p50', 'added p99'], latencyRows),
    '',
    `### Throughput, ${input.params.connections} connections, ${input.params.tputRounds} interleaved rounds × ${input.params.tputSeconds}s`,
    table(['path', 'median round', 'mean', 'per round (req/s)', `median vs ${floorName} floor`, 'errors'], tputRows),
    '',
    `RSS after throughput: gateway ${mb(input.rss.gateway)} (at start ${mb(input.rss.gatewayAtStart)}), gateway ledger-off ${mb(input.rss.gatewayLedgerOff)}, hono floor ${mb(input.rss.proxy)}, bare floor ${mb(input.rss.bare)}`,
    `Soak: ${soakRss.length} × ${input.params.soakSeconds}s at ${input.params.connections} connections: ${input.soak.rps.map((r) => rps(r)).join(' / ')}, ${input.soak.errors} errors; RSS after each ${soakRss.map(mb).join(' / ')}; V8 heap used / total ${(input.soak.heapUsed ?? []).map((u, i) => `${mb(u)} / ${mb(input.soak.heapTotal?.[i] ?? Number.NaN)}`).join(', ')}`,
    `Ledger (on): ${input.ledger.on.requests ?? '?'} request rows for ${input.ledger.gatewayRequests} requests sent, ${input.ledger.on.llmCalls ?? '?'} llm_calls, ${input.ledger.on.toolCalls ?? '?'} tool_calls${input.ledger.on.requests === input.ledger.gatewayRequests ? ' (none lost)' : ' (MISMATCH)'}`,
    `Ledger throughput cost (on vs TOLLGATE_LEDGER=off): ${ledgerOffHonoured ? pct(ledgerCost) : `n/a (the ledger-off gateway wrote ${offRows ?? '?'} rows)`}`,
    ...ptMarkdown,
    '',
    `### One-round MCP tool loop (${input.toolName}, stdio server-everything), µs`,
    table(['measurement', 'p50', 'p99'], toolRows),
    '',
    'Gateway view: the loop request is the 1-round request plus one more upstream round plus the tool step; subtracting the',
    '1-round request (same key, same overhead), the upstream round measured directly and the tool measured directly leaves',
    "everything the gateway adds to run one tool call (MCP mapping, governance, ledger, and the second round's own gateway work).",
    'App view: what the gateway saves or costs versus an app that runs the tool itself between two gateway calls.',
    ...(typeof input.reports === 'string'
      ? []
      : [
          '',
          `### Ledger reports (README examples) over ${input.reports.rows} generated rows, ms`,
          table(
            ['report', 'rows', 'median', 'max'],
            input.reports.timings.map((r) => [r.title, String(r.rows), r.medianMs.toFixed(1), r.maxMs.toFixed(1)]),
          ),
        ]),
  ].join('\n');

  const json = {
    params: input.params,
    quick: input.quick,
    latencyUs: input.latency,
    addedLatencyUs: Object.fromEntries(['bare', 'hono', 'gateway', 'gateway-ledger-off'].filter(has).map((n) => [n, added(n, 'direct')])),
    addedLatencyStreamUs: Object.fromEntries(
      ['bare-stream', 'hono-stream', 'gateway-stream'].filter(has).map((n) => [n, added(n, 'direct-stream')]),
    ),
    throughput: { aggregate: tp, runs: input.throughput, gatewayVsFloor, floor: floorName },
    rssBytes: input.rss,
    soak: input.soak,
    ledger: { ...input.ledger, ledgerOffHonoured, throughputCost: ledgerOffHonoured ? ledgerCost : null },
    toolLoopUs: {
      ...t,
      addedPerToolCallGatewayView: gatewayView,
      addedPerToolCallAppView: appView,
      mcpEndpointAdded: mcpAdded,
      mcpFloorAdded,
      mcpOverFloor,
    },
    ledgerReports: input.reports,
    ...(pt
      ? {
          passThrough: {
            latencyUs: pt.latency,
            addedLatencyUs: Object.fromEntries(
              ptNames.flatMap((name) =>
                ['bare', 'gateway']
                  .filter((w) => has(`${w}-${name}`))
                  .map((w) => [`${w}-${name}`, added(`${w}-${name}`, `direct-${name}`)]),
              ),
            ),
            throughput: { aggregate: ptp, runs: pt.throughput },
            ledger: pt.ledger,
          },
        }
      : {}),
    verdicts,
    passed,
    judged,
  };
  return { json, markdown };
}

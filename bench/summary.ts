// Derives the headline figures from the raw measurements, judges them against issue 8's targets,
// and renders the markdown tables. Pure: everything it needs is in the input.
import type { LedgerRows } from './ledger-rows.js';
import type { ThroughputResult } from './load.js';
import { mb, pct, rps, table, us, verdictMark, type Verdict } from './report.js';
import { round, summarize, type Summary } from './stats.js';
import type { ToolLoopResult } from './tool-loop.js';

export interface ReportInput {
  params: Record<string, number>;
  quick: boolean;
  latency: Record<string, Summary>;
  throughput: Record<string, ThroughputResult[]>;
  rss: { gateway: number | null; gatewayLedgerOff: number | null; proxy: number | null; gatewayAtStart: number | null };
  tool: ToolLoopResult;
  toolName: string;
  ledger: { on: LedgerRows; off: LedgerRows; gatewayRequests: number };
}

const MB = 1048576;

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

const lat = (input: ReportInput, name: string): Summary => {
  const s = input.latency[name];
  if (!s) throw new Error(`no latency samples for ${name}`);
  return s;
};

export function buildReport(input: ReportInput) {
  // Added latency: the path's percentile minus the direct path's same percentile.
  const added = (path: string, base: string) => ({
    p50: lat(input, path).p50 - lat(input, base).p50,
    p99: lat(input, path).p99 - lat(input, base).p99,
  });
  const addedGateway = added('gateway', 'direct');
  const addedProxy = added('proxy', 'direct');
  const addedGatewayStream = added('gateway-stream', 'direct-stream');
  const addedProxyStream = added('proxy-stream', 'direct-stream');

  const tp = Object.fromEntries(Object.entries(input.throughput).map(([k, v]) => [k, aggregate(v)]));
  const tpOf = (k: string) => tp[k]?.rps ?? NaN;
  const gatewayVsProxy = tpOf('gateway') / tpOf('proxy');

  // The ledger-off variant only counts if that gateway really wrote nothing.
  const offRows = input.ledger.off.requests;
  const ledgerOffHonoured = offRows === 0;
  const ledgerCost = 1 - tpOf('gateway') / tpOf('gateway-ledger-off');
  const ledgerNote = ledgerOffHonoured
    ? undefined
    : offRows === null
      ? `ledger-off database unreadable (${input.ledger.off.error ?? 'no requests table'})`
      : `TOLLGATE_LEDGER=off is not implemented yet: the "ledger off" gateway wrote ${offRows} request rows, so both variants ran with the ledger on`;

  // Tool loop decomposition (medians, µs). See the README of the table printed below.
  const t = input.tool;
  const appView = t.loop.p50 - 2 * t.plainTools.p50 - t.directTool.p50;
  const gatewayView = t.loop.p50 - t.plainTools.p50 - t.direct.p50 - t.directTool.p50;

  const verdicts: Verdict[] = [
    { target: 'added latency p50 (gateway − direct)', limit: '≤ 300 µs', value: us(addedGateway.p50), pass: addedGateway.p50 <= 300 },
    { target: 'added latency p99 (gateway − direct)', limit: '≤ 2000 µs', value: us(addedGateway.p99), pass: addedGateway.p99 <= 2000 },
    { target: 'throughput vs minimal proxy', limit: '≥ 60%', value: pct(gatewayVsProxy), pass: gatewayVsProxy >= 0.6 },
    {
      target: 'ledger on: throughput cost vs off',
      limit: '≤ 10%',
      value: ledgerOffHonoured ? pct(ledgerCost) : `n/a (${pct(ledgerCost)} between two ledger-on gateways)`,
      pass: ledgerOffHonoured ? ledgerCost <= 0.1 : null,
    },
    {
      target: 'gateway RSS after throughput',
      limit: '≤ 200 MB',
      value: mb(input.rss.gateway),
      pass: input.rss.gateway === null ? null : input.rss.gateway <= 200 * MB,
    },
    {
      target: 'tool call through the loop vs direct (gateway view)',
      limit: '≤ 1000 µs',
      value: us(gatewayView),
      pass: gatewayView <= 1000,
    },
  ];

  const latencyRows = [
    ['direct', 'direct'],
    ['proxy', 'direct'],
    ['gateway', 'direct'],
    ['gateway-ledger-off', 'direct'],
    ['direct-stream', 'direct-stream'],
    ['proxy-stream', 'direct-stream'],
    ['gateway-stream', 'direct-stream'],
  ].map(([name, base]) => {
    const s = lat(input, name!);
    const a = name === base ? undefined : added(name!, base!);
    return [name!, us(s.p50), us(s.p90), us(s.p99), us(s.mean), a ? us(a.p50) : '—', a ? us(a.p99) : '—'];
  });
  const tputRows = Object.entries(tp).map(([name, r]) => [
    name,
    rps(r.rps),
    rps(r.meanRps),
    r.rounds.join(' / '),
    pct(r.rps / tpOf('proxy')),
    String(r.errors),
  ]);
  const toolRows = [
    ['loop request (2 rounds + 1 tool call), p50', us(t.loop.p50), us(t.loop.p99)],
    ['gateway, same key, 1 round (tools injected), p50', us(t.plainTools.p50), us(t.plainTools.p99)],
    ['direct upstream round, p50', us(t.direct.p50), us(t.direct.p99)],
    ['direct MCP tools/call over stdio (SDK), p50', us(t.directTool.p50), us(t.directTool.p99)],
    ['**added per tool call, gateway view**: loop − 1-round − direct round − direct tool', us(gatewayView), ''],
    ['added per tool call, app view: loop − 2 × 1-round − direct tool', us(appView), ''],
  ];

  const markdown = [
    '### Latency, sequential over keep-alive (µs; added = path − direct at the same percentile)',
    table(['path', 'p50', 'p90', 'p99', 'mean', 'added p50', 'added p99'], latencyRows),
    '',
    `### Throughput, ${input.params.connections} connections, ${input.params.tputRounds} interleaved rounds × ${input.params.tputSeconds}s`,
    table(['path', 'median round', 'mean', 'per round (req/s)', 'median vs proxy', 'errors'], tputRows),
    '',
    `RSS after throughput: gateway ${mb(input.rss.gateway)} (at start ${mb(input.rss.gatewayAtStart)}), gateway ledger-off ${mb(input.rss.gatewayLedgerOff)}, proxy ${mb(input.rss.proxy)}`,
    `Ledger (on): ${input.ledger.on.requests ?? '?'} request rows for ${input.ledger.gatewayRequests} requests sent, ${input.ledger.on.llmCalls ?? '?'} llm_calls, ${input.ledger.on.toolCalls ?? '?'} tool_calls${input.ledger.on.requests === input.ledger.gatewayRequests ? ' (none lost)' : ' (MISMATCH)'}`,
    ...(ledgerNote ? [`Ledger off: ${ledgerNote}`] : []),
    '',
    `### One-round MCP tool loop (${input.toolName}, stdio server-everything), µs`,
    table(['measurement', 'p50', 'p99'], toolRows),
    '',
    'Gateway view: the loop request is the 1-round request plus one more upstream round plus the tool step; subtracting the',
    '1-round request (same key, same overhead), the upstream round measured directly and the tool measured directly leaves',
    "everything the gateway adds to run one tool call (MCP mapping, governance, ledger, and the second round's own gateway work).",
    'App view: what the gateway saves or costs versus an app that runs the tool itself between two gateway calls.',
    '',
    '### Targets (issue 8)',
    table(
      ['target', 'limit', 'value', 'verdict'],
      verdicts.map((v) => [v.target, v.limit, v.value, verdictMark(v)]),
    ),
  ].join('\n');

  const json = {
    params: input.params,
    quick: input.quick,
    latencyUs: input.latency,
    addedLatencyUs: { gateway: addedGateway, proxy: addedProxy, gatewayStream: addedGatewayStream, proxyStream: addedProxyStream },
    throughput: { aggregate: tp, runs: input.throughput, gatewayVsProxy },
    rssBytes: input.rss,
    ledger: { ...input.ledger, ledgerOffHonoured, throughputCost: ledgerOffHonoured ? ledgerCost : null, note: ledgerNote ?? null },
    toolLoopUs: { ...t, addedPerToolCallGatewayView: gatewayView, addedPerToolCallAppView: appView },
    verdicts,
  };
  return { json, markdown };
}

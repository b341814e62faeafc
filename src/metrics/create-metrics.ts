// The gateway's Prometheus metrics (prom-client, the parts prom.ts loads). Implements the chat
// pipeline's Metrics port and adds HTTP, ledger and MCP series. Each gateway gets its own Registry
// (never prom-client's global one), so several gateways can live in one process (tests) without
// "already registered" errors.
// All label values go through labels.ts: never a key id, user, request id or free text.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from './prom.js';
import type { LlmSurface, Metrics } from '../chat/ports.js';
import { createLabelBounds, OTHER, routeLabel, type ToolLabels } from './labels.js';
import { counterSeries, histogramSeries } from './bound-series.js';

export interface McpServerUp {
  name: string;
  state: string;
  tools: number;
  /** Calls waiting for their turn (servers with maxCallsInFlight only). */
  queued?: number;
}

export interface CreateMetricsOptions {
  /** 'provider/model' (or bare upstream names): the only model label values besides "other". */
  configuredModels: readonly string[];
  configuredProviders: readonly string[];
  /** Read at scrape time: rows queued in the ledger writer. */
  ledgerDepth?: () => number;
  /** Read at scrape time: the MCP manager's servers. */
  mcpStatus?: () => readonly McpServerUp[];
  /** Read at scrape time: per server, tools withheld by pinning and tools offered though unapproved (pin: warn). */
  pinCounts?: () => { byServer: readonly { server: string; quarantined: number; flagged: number }[] };
  /** Server and tool of a gateway tool name, when the MCP manager knows it. */
  toolInfo?: (name: string) => ToolLabels | undefined;
  /** Node process metrics (CPU, memory, event loop); on by default. */
  processMetrics?: boolean;
}

export interface GatewayMetrics extends Metrics {
  /** Wire to createLedgerWriter's onFlush. */
  ledgerFlush(rows: number, ms: number): void;
  /** One finished HTTP request; `route` is the matched route pattern. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  render(): Promise<string>;
  readonly contentType: string;
  readonly registry: Registry;
}

// Seconds. LLM calls run from ~100 ms to minutes; tool calls and ledger flushes are much shorter.
const LLM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160];
const FAST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// Label names of the series bound once (bound-series.ts), in the order their values are passed.
const CHAT_REQUEST_LABELS = ['route', 'provider', 'model', 'status', 'stream'];
const CHAT_SECONDS_LABELS = ['route', 'provider', 'model', 'stream'];
const LLM_ATTEMPT_LABELS = ['provider', 'model', 'status', 'error_type'];
const LLM_SECONDS_LABELS = ['provider', 'model'];
const TOOL_CALL_LABELS = ['server', 'tool', 'outcome', 'decision'];
const TOOL_SECONDS_LABELS = ['server', 'tool'];
const HTTP_REQUEST_LABELS = ['route', 'method', 'status'];
const HTTP_SECONDS_LABELS = ['route', 'method'];

export function createMetrics(opts: CreateMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const bounds = createLabelBounds(opts);
  // Event-loop lag sampled every 100 ms rather than prom-client's 10 ms: the gauge stays useful and
  // an idle gateway is not woken 100 times a second.
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'tollgate_', eventLoopMonitoringPrecision: 100 });

  const chatRequests = new Counter({
    name: 'tollgate_requests_total',
    help: 'LLM requests (chat completions, messages, responses) by route, provider, model and HTTP status returned',
    labelNames: [...CHAT_REQUEST_LABELS],
    registers,
  });
  const chatSeconds = new Histogram({
    name: 'tollgate_request_duration_seconds',
    help: 'LLM request latency (chat completions, messages, responses), tool rounds included',
    labelNames: [...CHAT_SECONDS_LABELS],
    buckets: LLM_BUCKETS,
    registers,
  });
  const llmAttempts = new Counter({
    name: 'tollgate_llm_attempts_total',
    help: 'Upstream LLM attempts (each round, retry and fallback) by upstream status',
    labelNames: [...LLM_ATTEMPT_LABELS],
    registers,
  });
  const llmSeconds = new Histogram({
    name: 'tollgate_llm_attempt_duration_seconds',
    help: 'Upstream LLM attempt latency',
    labelNames: [...LLM_SECONDS_LABELS],
    buckets: LLM_BUCKETS,
    registers,
  });
  const toolCalls = new Counter({
    name: 'tollgate_tool_calls_total',
    help: 'MCP tool calls by server, tool, outcome and policy decision',
    labelNames: [...TOOL_CALL_LABELS],
    registers,
  });
  const toolSeconds = new Histogram({
    name: 'tollgate_tool_call_duration_seconds',
    help: 'MCP tool call latency',
    labelNames: [...TOOL_SECONDS_LABELS],
    buckets: FAST_BUCKETS,
    registers,
  });
  const rejections = new Counter({
    name: 'tollgate_rejections_total',
    help: 'Budget refusals and rate-limit hits by kind and level',
    labelNames: ['kind', 'level'],
    registers,
  });
  const httpRequests = new Counter({
    name: 'tollgate_http_requests_total',
    help: 'HTTP requests by matched route, method and status',
    labelNames: [...HTTP_REQUEST_LABELS],
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'tollgate_http_request_duration_seconds',
    help: 'HTTP request latency by matched route (until the response starts, for streams)',
    labelNames: [...HTTP_SECONDS_LABELS],
    buckets: FAST_BUCKETS,
    registers,
  });
  const flushSeconds = new Histogram({
    name: 'tollgate_ledger_flush_duration_seconds',
    help: 'Time to write one ledger batch to the database',
    buckets: FAST_BUCKETS,
    registers,
  });
  const flushedRows = new Counter({ name: 'tollgate_ledger_rows_written_total', help: 'Ledger rows written to the database', registers });

  const { ledgerDepth, mcpStatus } = opts;
  new Gauge({
    name: 'tollgate_ledger_queue_depth',
    help: 'Ledger rows queued in memory, not yet written',
    registers,
    collect() {
      this.set(ledgerDepth?.() ?? 0);
    },
  });
  new Gauge({
    name: 'tollgate_mcp_server_up',
    help: '1 when the MCP server is connected, else 0',
    labelNames: ['server'],
    registers,
    collect() {
      // reset() first: a server removed from the status list must not linger with its old value.
      this.reset();
      for (const s of mcpStatus?.() ?? []) this.set({ server: s.name }, s.state === 'connected' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tollgate_mcp_server_tools',
    help: 'Tools the MCP server currently lists',
    labelNames: ['server'],
    registers,
    collect() {
      this.reset();
      for (const s of mcpStatus?.() ?? []) this.set({ server: s.name }, s.tools);
    },
  });
  new Gauge({
    name: 'tollgate_mcp_calls_queued',
    help: 'Calls waiting for their turn at an MCP server with maxCallsInFlight',
    labelNames: ['server'],
    registers,
    collect() {
      this.reset();
      for (const s of mcpStatus?.() ?? []) if (s.queued !== undefined) this.set({ server: s.name }, s.queued);
    },
  });

  const pinGauge = (field: 'quarantined' | 'flagged', name: string, help: string) =>
    new Gauge({
      name,
      help,
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        // Every configured server gets a series (0 included), so alerts can use `> 0` without absent().
        for (const s of mcpStatus?.() ?? []) this.set({ server: s.name }, 0);
        for (const row of opts.pinCounts?.().byServer ?? []) this.set({ server: row.server }, row[field]);
      },
    });
  pinGauge(
    'quarantined',
    'tollgate_mcp_tools_quarantined',
    'MCP tools withheld because their definition drifted from its pin or awaits approval',
  );
  pinGauge('flagged', 'tollgate_mcp_tools_flagged', 'MCP tools offered although their definition is unapproved (pin: warn)');

  // Each LLM request counts under its own surface's route: before, Messages and Responses requests
  // were all labelled /v1/chat/completions.
  const surfaceRoute: Readonly<Record<LlmSurface, string>> = {
    chat: '/v1/chat/completions',
    messages: '/v1/messages',
    responses: '/v1/responses',
  };
  // Series per label tuple, bound once (bound-series.ts: no label hashing per observation).
  const chatRequestsBy = counterSeries(chatRequests, CHAT_REQUEST_LABELS);
  const chatSecondsBy = histogramSeries(chatSeconds, CHAT_SECONDS_LABELS, LLM_BUCKETS);
  const llmAttemptsBy = counterSeries(llmAttempts, LLM_ATTEMPT_LABELS);
  const llmSecondsBy = histogramSeries(llmSeconds, LLM_SECONDS_LABELS, LLM_BUCKETS);
  const toolCallsBy = counterSeries(toolCalls, TOOL_CALL_LABELS);
  const toolSecondsBy = histogramSeries(toolSeconds, TOOL_SECONDS_LABELS, FAST_BUCKETS);
  const httpRequestsBy = counterSeries(httpRequests, HTTP_REQUEST_LABELS);
  const httpSecondsBy = histogramSeries(httpSeconds, HTTP_SECONDS_LABELS, FAST_BUCKETS);
  const toolLabels = (name: string): ToolLabels => opts.toolInfo?.(name) ?? { server: OTHER, tool: OTHER };

  return {
    registry,
    contentType: registry.contentType,
    chatRequest(l, seconds) {
      const provider = bounds.provider(l.provider);
      const model = bounds.model(l.provider, l.model);
      const stream = String(l.stream);
      const route = surfaceRoute[l.surface];
      chatRequestsBy(route, provider, model, bounds.status(l.status), stream).inc();
      chatSecondsBy(route, provider, model, stream).observe(seconds);
    },
    llmAttempt(l, seconds) {
      const provider = bounds.provider(l.provider);
      const model = bounds.model(l.provider, l.model);
      llmAttemptsBy(provider, model, bounds.status(l.status), bounds.errorType(l.errorType)).inc();
      llmSecondsBy(provider, model).observe(seconds);
    },
    toolCall(l, seconds) {
      const { server, tool } = toolLabels(l.name);
      toolCallsBy(server, tool, bounds.toolOutcome(l.status), l.decision).inc();
      if (l.decision === 'allowed') toolSecondsBy(server, tool).observe(seconds);
    },
    rejection(kind, level) {
      rejections.inc({ kind, level: bounds.rejectionLevel(level) });
    },
    ledgerFlush(rows, ms) {
      flushedRows.inc(rows);
      flushSeconds.observe(ms / 1000);
    },
    httpRequest(route, method, status, seconds) {
      const r = routeLabel(route);
      const m = bounds.method(method);
      httpRequestsBy(r, m, bounds.status(status)).inc();
      httpSecondsBy(r, m).observe(seconds);
    },
    render: () => registry.metrics(),
  };
}

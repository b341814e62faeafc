// What the chat pipeline needs from the rest of the gateway, as small interfaces. main.ts wires the
// real governance, ledger, pricing and MCP manager in; tests can wire anything.
import type { LoopLimits } from '../config-schema.js';
import type { ErrorKind, Requester } from '../errors.js';
import type { FunctionTool } from '../openai/types.js';
import type { LlmCallRow, RequestRow, ToolCallRow, PayloadRow } from '../ledger/writer.js';
import type { Target } from './targets.js';
import type { HeaderSource } from '../governance/keys.js';
import type { PriceLike } from '../governance/attempt-budget.js';
import type { ModelLimits } from '../ledger/pricing.js';
import type { CallInteractions } from '../../mcp/call-context.js';

export type ToolDecision = { allowed: true } | { allowed: false; reason: string; message: string };

/** What an upstream call holds of its key's rate limits until it ends (governance/rate-limit.ts). */
export interface CallHold {
  readonly tokens: number;
}

export interface Reservation {
  readonly amountUsd: number;
}

/** Governance as one request sees it: who is calling and what they may do. */
export interface Access {
  readonly keyId: string | null;
  readonly teamId: string | null;
  readonly customerId: string | null;
  readonly loop: LoopLimits;
  /** Throws 403 model_blocked / provider_blocked. */
  checkModel(target: Target): void;
  /** The one tool decision (allow-list), shared with /mcp. */
  decideTool(name: string): ToolDecision;
  /** Tools that need a person's approval before they run (the key's `approval` globs). */
  needsApproval(name: string): boolean;
  /** Per-tool call limits. */
  checkToolRate(name: string): Promise<ToolDecision>;
  /**
   * Takes a slot of the key's (and its team's) MCP tool calls in flight; refused (not thrown) when
   * they are all taken. Pair an allowed one with endToolCall once the call has ended.
   */
  startToolCall(): ToolDecision;
  endToolCall(): void;
  /** Whether the key, its team or its customer has a budget (output caps, unpriced models). */
  readonly budgeted: boolean;
  /** Throws 402 budget_exceeded naming the level. */
  reserve(amountUsd: number): Promise<Reservation>;
  /** Retried until the counters have it (never throws). */
  settle(reservation: Reservation, actualUsd: number): void;
  release(reservation: Reservation): void;
  /**
   * Starts one upstream call: a slot of the key's calls in flight, and `tokens` (its input bound +
   * output cap) reserved under its token limit. Throws 429 rate_limited; 401/403 when the key was
   * deleted or blocked since admission, or (with `target`) its model is no longer allowed.
   */
  startCall(tokens: number, target?: Target): Promise<CallHold>;
  /** A slot of calls in flight without tokens (a request waiting to retry keeps its place); null when none is free. */
  holdSlot(): CallHold | null;
  /** Gives the call's slot back (when it has ended). */
  endCall(hold: CallHold): void;
  /** The call's tokens used in place of its reservation, for token rate limits (never throws). */
  settleTokens(hold: CallHold, tokens: number): void;
  /** Stable identity for caching the tool list offered to this key. */
  readonly policyKey: object;
}

/**
 * One upstream call that reserves no tokens (a token count, a stored response read or deleted) in a
 * slot of the key's calls in flight, like any other of its calls: taken before `send` (429 when none
 * is free), given back however it ends.
 */
export async function inCallSlot<T>(access: Access, send: () => Promise<T>): Promise<T> {
  const hold = await access.startCall(0);
  try {
    return await send();
  } finally {
    access.endCall(hold);
  }
}

export interface Gate {
  /**
   * Authenticates and applies request rate limits, counting `calls` requests (default 1: a JSON-RPC
   * batch at /mcp counts each of its messages). Throws 401/403/429 GatewayErrors.
   */
  admit(headers: HeaderSource, calls?: number): Promise<Access>;
  /**
   * Whom the headers name (key, team, customer; a disabled or expired key too), counting nothing and
   * touching no store: for the row of a request refused before admission (503 while draining).
   * Undefined without a key or with an unknown one.
   */
  identify(headers: HeaderSource): Requester | undefined;
}

export interface ToolEntry {
  name: string;
  server: string;
  tool: string;
  openai: FunctionTool;
}

export type ToolStatus = 'ok' | 'error' | 'timeout' | 'cancelled' | 'invalid_arguments' | 'unknown_tool' | 'server_unavailable';

export interface ToolOutcome {
  status: ToolStatus;
  /**
   * Whether the call reached the server (or may have: a timeout, a cancel or a transport failure
   * after sending). A paid tool is charged when it was sent, whatever came back.
   */
  sent?: boolean;
  content: string;
  isError: boolean;
  errorMessage?: string | undefined;
  /** The reason to record when the status alone does not say (e.g. elicitation_required). */
  reason?: string | undefined;
  latencyMs: number;
  raw?: unknown;
}

export interface ToolRuntime {
  tools(): readonly ToolEntry[];
  /** Increments whenever the tool set changes (cache key for per-key tool lists). */
  readonly version: number;
  getTool(name: string): ToolEntry | undefined;
  callTool(
    name: string,
    args: string,
    opts: {
      signal?: AbortSignal;
      timeoutMs?: number;
      interactions?: CallInteractions | undefined;
      /** The calling key's id and team: whose turn the call takes at a server with maxCallsInFlight. */
      caller?: string | null;
      team?: string | null;
    },
  ): Promise<ToolOutcome>;
  /**
   * Why a listed tool must not be called now (tool pinning: its definition drifted or awaits
   * approval), as the reason code to record; undefined when it may be. O(1): checked on every call.
   */
  quarantineReason?(name: string): string | undefined;
}

export interface Pricing {
  priceOf(provider: string, model: string): PriceLike | undefined;
  limitsOf(provider: string, model: string): ModelLimits;
  readonly unpricedCallUsd: number | undefined;
  costOf(
    provider: string,
    model: string,
    usage: {
      promptTokens: number;
      completionTokens: number;
      cachedTokens?: number;
      cacheWriteTokens?: number;
      cacheWrite1hTokens?: number;
    },
  ): number | null;
  toolCost(name: string): number;
  /** USD per use of a tool the upstream runs (`messages/web_search`); undefined = unpriced (governance/hosted-tools.ts). */
  hostedFee?(key: string): number | undefined;
  /** Config `hostedTools` (optional for test fakes: then defaultMaxUses 5, contentTokensPerUse 10,000). */
  readonly hostedTools?: { readonly defaultMaxUses: number; readonly contentTokensPerUse: number };
}

/** Ledger writes: return a Promise only when the queue is full (callers await it: back-pressure). */
export interface LedgerSink {
  request(row: RequestRow): void | Promise<void>;
  llmCall(row: LlmCallRow): void | Promise<void>;
  toolCall(row: ToolCallRow): void | Promise<void>;
  payload(row: PayloadRow): void | Promise<void>;
}

/**
 * Counters and histograms the pipeline reports (implemented with prom-client in src/metrics).
 * Label values passed here may be unbounded (model names from requests); the implementation
 * collapses anything not configured to "other".
 */
/** The surfaces whose requests are LLM requests (an /mcp POST is not). */
export type LlmSurface = 'chat' | 'messages' | 'responses';

export interface Metrics {
  /** One LLM request (chat, messages or responses), labelled with the route of its surface. */
  chatRequest(
    labels: { surface: LlmSurface; provider: string | null; model: string | null; status: number; stream: boolean },
    seconds: number,
  ): void;
  llmAttempt(labels: { provider: string; model: string; status: number; errorType: ErrorKind | null }, seconds: number): void;
  toolCall(labels: { name: string; status: string; decision: 'allowed' | 'denied' }, seconds: number): void;
  /** 402s, 429s and per-tool limit refusals. */
  rejection(kind: 'budget' | 'rate_limit' | 'tool_rate_limit', level: string): void;
}

export const noopMetrics: Metrics = {
  chatRequest: () => undefined,
  llmAttempt: () => undefined,
  toolCall: () => undefined,
  rejection: () => undefined,
};

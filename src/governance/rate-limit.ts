// Per-key request and token limits, and per-tool call limits, over the CounterStore's windows.
// Algorithm: sliding window counter (see sliding-window.ts) — the previous fixed bucket weighted by
// how much of it still overlaps the sliding window, plus the current bucket.
import { GatewayError } from '../errors.js';
import type { CounterStore, WindowHit } from './counter-store.js';
import { InFlightSlots } from './in-flight.js';
import type { KeyContext, VirtualKeyRecord } from './types.js';

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** One upstream call's hold on its key: a slot of its calls in flight and the tokens it reserved. */
export interface CallHold {
  readonly keyId: string | null;
  readonly teamId: string | null;
  readonly tokens: number;
  /** When the tokens were counted: their bucket, which a settlement takes them back from. */
  readonly at: number;
  /** '' when the key has no token limit. */
  readonly tokensKey: string;
  readonly windowMs: number;
}

/** No key, no governance: nothing held. */
const NO_HOLD: CallHold = Object.freeze({ keyId: null, teamId: null, tokens: 0, at: 0, tokensKey: '', windowMs: 0 });
/** A hold of a slot of calls in flight and no tokens (no token limit, or a request waiting to retry). */
const slotOnly = (keyId: string, teamId: string | null): CallHold => ({ keyId, teamId, tokens: 0, at: 0, tokensKey: '', windowMs: 0 });

type RateLimitSpec = NonNullable<VirtualKeyRecord['rateLimit']>;

const limited = (what: string, keyId: string, rl: RateLimitSpec, retryAfterMs: number) =>
  new GatewayError({
    status: 429,
    type: 'rate_limited',
    message: `rate limit of ${what} per ${rl.window} reached for virtual key ${keyId}; retry in ${seconds(retryAfterMs)}s`,
    retryAfter: seconds(retryAfterMs),
  });
const tokensLimited = (keyId: string, rl: RateLimitSpec, retryAfterMs: number) => limited(`${rl.tokens} tokens`, keyId, rl, retryAfterMs);

const inFlightExhausted = (code: 'key_calls_in_flight_exhausted' | 'team_calls_in_flight_exhausted', who: string, limit: number) =>
  new GatewayError({
    status: 429,
    type: 'rate_limited',
    code,
    message: `${who} has its ${limit} upstream calls in flight; retry when one has finished`,
    retryAfter: 1,
  });

export type ToolLimitResult = { ok: true } | { ok: false; reason: 'tool_rate_limited'; retryAfterMs: number; message: string };

export type ToolSlotResult =
  | { ok: true }
  | { ok: false; reason: 'key_tool_calls_in_flight_exhausted' | 'team_tool_calls_in_flight_exhausted'; message: string };
const TOOL_SLOT_TAKEN: ToolSlotResult = Object.freeze({ ok: true });

/** A key's request-time hits for one call, built once per key record and window (readonly for the stores). */
interface KeyHits {
  windowMs: number;
  rateLimit: NonNullable<VirtualKeyRecord['rateLimit']>;
  hits: readonly WindowHit[];
  tokensKey: string;
}

export class RateLimiter {
  /** Per key record: the hit list of a one-call request was two objects and two strings per request. */
  private readonly byKey = new WeakMap<VirtualKeyRecord, KeyHits>();

  /** Upstream calls in flight per key and per team, on this replica (its connection pools are its own). */
  private readonly calls: InFlightSlots;
  /** MCP tool calls in flight per key and per team, on this replica (its MCP connections are its own). */
  private readonly toolCalls: InFlightSlots;

  constructor(
    private readonly deps: {
      store: CounterStore;
      now: () => number;
      maxInFlightPerKey: number;
      /** Undefined: teams are not bounded beyond their keys. */
      maxInFlightPerTeam?: number | undefined;
      /** Undefined: tool calls are not bounded (a key's rateLimit.toolCallsInFlight still is). */
      maxToolCallsInFlightPerKey?: number | undefined;
      /** Undefined: teams are not bounded beyond their keys. */
      maxToolCallsInFlightPerTeam?: number | undefined;
    },
  ) {
    this.calls = new InFlightSlots(deps.maxInFlightPerTeam);
    this.toolCalls = new InFlightSlots(deps.maxToolCallsInFlightPerTeam);
  }

  private keyHits(key: VirtualKeyRecord, rl: NonNullable<VirtualKeyRecord['rateLimit']>, windowMs: number): KeyHits {
    let k = this.byKey.get(key);
    if (k && k.windowMs === windowMs && k.rateLimit === rl) return k;
    const tokensKey = `tokens:${key.id}`;
    k = { windowMs, rateLimit: rl, hits: this.hitsFor(key, rl, windowMs, 1, tokensKey), tokensKey };
    this.byKey.set(key, k);
    return k;
  }

  private hitsFor(
    key: VirtualKeyRecord,
    rl: NonNullable<VirtualKeyRecord['rateLimit']>,
    windowMs: number,
    calls: number,
    tokensKey: string,
  ) {
    const hits: WindowHit[] = [];
    if (rl.tokens !== undefined) hits.push({ key: tokensKey, windowMs, amount: 0, limit: rl.tokens });
    if (rl.requests !== undefined) hits.push({ key: `requests:${key.id}`, windowMs, amount: calls, limit: rl.requests });
    return hits;
  }

  /**
   * Counts `calls` requests (all or none). Refused (429) when the request limit would be passed, or
   * when the tokens already used in the window reached the token limit (tokens are only known after
   * a response, so a key is stopped once at or over its limit, until the window frees some).
   */
  async checkRequest(ctx: KeyContext, calls = 1): Promise<void> {
    const rl = ctx.key?.rateLimit;
    const windowMs = ctx.policy.rateWindowMs;
    if (!ctx.key || !rl || windowMs === undefined) return;
    const cached = this.keyHits(ctx.key, rl, windowMs);
    const hits = calls === 1 ? cached.hits : this.hitsFor(ctx.key, rl, windowMs, calls, cached.tokensKey);
    if (hits.length === 0) return;
    const result = await this.deps.store.hitAll(hits, this.deps.now());
    if (result.ok) return;
    if (result.key.startsWith('tokens:')) throw tokensLimited(ctx.key.id, rl, result.retryAfterMs);
    throw limited(`${rl.requests} requests`, ctx.key.id, rl, result.retryAfterMs);
  }

  /**
   * Starts one upstream call (every round, retry and fallback) of the key: takes one of its slots of
   * calls in flight on this replica (rateLimit.inFlight, else maxInFlightPerKey), so one key cannot
   * hold the upstream connection pools other keys wait on; and, under a token limit, reserves the
   * call's worst case (input bound + output cap) in the window while the window is still under the
   * limit, so concurrent calls see each other's tokens before their usage arrives. 429 otherwise.
   */
  async startCall(ctx: KeyContext, tokens: number): Promise<CallHold> {
    const key = ctx.key;
    if (!key) return NO_HOLD;
    const rl = key.rateLimit;
    const teamId = ctx.team?.id ?? null;
    // Taken before any await: concurrent calls of the key count each other.
    this.enter(key.id, teamId, this.callLimit(key));
    const windowMs = ctx.policy.rateWindowMs;
    if (rl?.tokens === undefined || windowMs === undefined) return slotOnly(key.id, teamId);
    const tokensKey = this.keyHits(key, rl, windowMs).tokensKey;
    const at = this.deps.now();
    const check: WindowHit[] = [
      { key: tokensKey, windowMs, amount: 0, limit: rl.tokens },
      { key: tokensKey, windowMs, amount: tokens, limit: Infinity },
    ];
    const result = await this.deps.store.hitAll(check, at).catch((err: unknown) => {
      this.calls.give(key.id, teamId);
      throw err;
    });
    if (!result.ok) {
      this.calls.give(key.id, teamId);
      throw tokensLimited(key.id, rl, result.retryAfterMs);
    }
    return { keyId: key.id, teamId, tokens, at, tokensKey, windowMs };
  }

  /**
   * A slot of the key's calls in flight with no tokens (a request waiting to retry keeps its place:
   * attempts.ts); null when there is none. Given back with endCall.
   */
  holdSlot(ctx: KeyContext): CallHold | null {
    const key = ctx.key;
    if (!key) return NO_HOLD;
    const teamId = ctx.team?.id ?? null;
    if (this.calls.take(key.id, teamId, this.callLimit(key)) !== null) return null;
    return slotOnly(key.id, teamId);
  }

  /** Gives back the call's slot, as soon as the call has ended (its effects may run later). */
  endCall(hold: CallHold): void {
    if (hold.keyId !== null) this.calls.give(hold.keyId, hold.teamId);
  }

  /**
   * Turns the call's token reservation into the tokens it used: the reservation leaves the bucket it
   * was counted in (if still in the window), the usage is counted now.
   */
  async settleTokens(hold: CallHold, tokens: number): Promise<void> {
    if (hold.tokensKey === '') return;
    const { tokensKey: key, windowMs } = hold;
    const settle: WindowHit[] = [
      { key, windowMs, amount: -hold.tokens, limit: Infinity, at: hold.at },
      { key, windowMs, amount: Math.max(0, tokens), limit: Infinity },
    ];
    await this.deps.store.hitAll(settle, this.deps.now());
  }

  /** The key's bound on upstream calls in flight: its rateLimit.inFlight, else maxInFlightPerKey. */
  private callLimit(key: VirtualKeyRecord): number {
    return key.rateLimit?.inFlight ?? this.deps.maxInFlightPerKey;
  }

  /** Takes a slot of the key and one of its team, or neither (429). */
  private enter(keyId: string, teamId: string | null, keyLimit: number): void {
    const refused = this.calls.take(keyId, teamId, keyLimit);
    if (refused === 'key') throw inFlightExhausted('key_calls_in_flight_exhausted', `virtual key ${keyId}`, keyLimit);
    if (refused === 'team') throw inFlightExhausted('team_calls_in_flight_exhausted', `team ${teamId}`, this.deps.maxInFlightPerTeam!);
  }

  /**
   * Starts one MCP tool call of the key (the chat loop's, /mcp's, an approved hosted-MCP call): takes
   * one of its slots of tool calls in flight on this replica (rateLimit.toolCallsInFlight, else
   * maxToolCallsInFlightPerKey) and one of its team's. An MCP server runs few calls at once (a stdio
   * server one), so one key's slow calls queued there would hold every other key's behind them. Not
   * an HTTP error: the caller answers the call with the refusal as its result. Pair with endToolCall.
   */
  startToolCall(ctx: KeyContext): ToolSlotResult {
    const key = ctx.key;
    if (!key) return TOOL_SLOT_TAKEN;
    const teamId = ctx.team?.id ?? null;
    const limit = key.rateLimit?.toolCallsInFlight ?? this.deps.maxToolCallsInFlightPerKey ?? Infinity;
    const refused = this.toolCalls.take(key.id, teamId, limit);
    if (refused === null) return TOOL_SLOT_TAKEN;
    return refused === 'key'
      ? {
          ok: false,
          reason: 'key_tool_calls_in_flight_exhausted',
          message: `virtual key ${key.id} has its ${limit} tool calls in flight; retry when one has finished`,
        }
      : {
          ok: false,
          reason: 'team_tool_calls_in_flight_exhausted',
          message: `team ${teamId} has its ${this.deps.maxToolCallsInFlightPerTeam} tool calls in flight; retry when one has finished`,
        };
  }

  /** Gives back the slot startToolCall took for this key (when the call has ended). */
  endToolCall(ctx: KeyContext): void {
    if (ctx.key) this.toolCalls.give(ctx.key.id, ctx.team?.id ?? null);
  }

  /**
   * Counts one call of a tool against every toolLimits entry whose glob matches it. Each entry is one
   * shared counter for all tools its glob matches ("everything__*: 100/1m" caps them together).
   * Not an HTTP error: the caller returns the message to the model as the tool's result.
   */
  async checkTool(ctx: KeyContext, toolName: string): Promise<ToolLimitResult> {
    if (!ctx.key) return { ok: true };
    const limits = ctx.policy.toolLimits.filter((l) => l.matches(toolName));
    if (limits.length === 0) return { ok: true };
    const keyId = ctx.key.id;
    const hits = limits.map((l) => ({ key: `tool:${keyId}:${l.tool}`, windowMs: l.windowMs, amount: 1, limit: l.calls }));
    const result = await this.deps.store.hitAll(hits, this.deps.now());
    if (result.ok) return { ok: true };
    const limit = limits[hits.findIndex((h) => h.key === result.key)]!;
    return {
      ok: false,
      reason: 'tool_rate_limited',
      retryAfterMs: result.retryAfterMs,
      message: `tool ${toolName} is limited to ${limit.calls} calls per ${formatWindow(limit.windowMs)} (${limit.tool}) for virtual key ${keyId}; retry in ${seconds(result.retryAfterMs)}s`,
    };
  }
}

function formatWindow(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

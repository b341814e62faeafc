// Per-key request and token limits, and per-tool call limits, over the CounterStore's windows.
// Algorithm: sliding window counter (see sliding-window.ts) — the previous fixed bucket weighted by
// how much of it still overlaps the sliding window, plus the current bucket.
import { GatewayError } from '../errors.js';
import type { CounterStore, WindowHit } from './counter-store.js';
import type { KeyContext, VirtualKeyRecord } from './types.js';

export type ToolLimitResult = { ok: true } | { ok: false; reason: 'tool_rate_limited'; retryAfterMs: number; message: string };

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

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

  constructor(private readonly deps: { store: CounterStore; now: () => number }) {}

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
    const what = result.key.startsWith('tokens:') ? `${rl.tokens} tokens` : `${rl.requests} requests`;
    throw new GatewayError({
      status: 429,
      type: 'rate_limited',
      message: `rate limit of ${what} per ${rl.window} reached for virtual key ${ctx.key.id}; retry in ${seconds(result.retryAfterMs)}s`,
      retryAfter: seconds(result.retryAfterMs),
    });
  }

  /** Adds the tokens of a finished response (input + output) to the key's window. */
  async recordTokens(ctx: KeyContext, tokens: number): Promise<void> {
    const windowMs = ctx.policy.rateWindowMs;
    const rl = ctx.key?.rateLimit;
    if (!ctx.key || !rl || rl.tokens === undefined || windowMs === undefined || !(tokens > 0)) return;
    await this.deps.store.hit(this.keyHits(ctx.key, rl, windowMs).tokensKey, windowMs, tokens, Infinity, this.deps.now());
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

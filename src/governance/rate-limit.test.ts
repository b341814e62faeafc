import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.js';
import { createMemoryCounterStore } from './memory-counter-store.js';
import { OPEN_POLICY, compilePolicy } from './policy.js';
import { RateLimiter } from './rate-limit.js';
import type { KeyContext, VirtualKeyRecord } from './types.js';

function ctxWith(over: Partial<VirtualKeyRecord>): KeyContext {
  const key: VirtualKeyRecord = {
    id: 'k1',
    keyHash: 'h',
    models: ['*'],
    tools: { allow: ['*'], deny: [] },
    toolLimits: [],
    loop: { maxRounds: 10, maxToolCalls: 50, timeoutMs: 1000 },
    disabled: false,
    source: 'api',
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
  return { key, policy: compilePolicy(key) };
}

function setup() {
  let now = 1_000_000_040_000; // 20 s into a minute bucket (1_000_000_020_000 is a multiple of 60 000)
  const limiter = new RateLimiter({ store: createMemoryCounterStore(), now: () => now });
  return { limiter, advance: (ms: number) => void (now += ms) };
}

const is429 = (pattern: RegExp, seconds?: number) => (err: unknown) =>
  err instanceof GatewayError &&
  err.status === 429 &&
  err.type === 'rate_limited' &&
  pattern.test(err.message) &&
  (seconds === undefined || err.retryAfter === seconds);

describe('RateLimiter requests', () => {
  test('refuses past the limit with Retry-After, and admits again once the window frees', async () => {
    const { limiter, advance } = setup();
    const ctx = ctxWith({ rateLimit: { requests: 2, window: '1m' } });
    await limiter.checkRequest(ctx);
    await limiter.checkRequest(ctx);
    // Bucket ends in 40 s; there 2 old requests weigh 2×(1-x/60s) ≤ 1 after 30 s more.
    await assert.rejects(limiter.checkRequest(ctx), is429(/2 requests per 1m.*k1/, 70));
    advance(69_999);
    await assert.rejects(limiter.checkRequest(ctx), is429(/requests/, 1));
    advance(1);
    await limiter.checkRequest(ctx);
  });

  test('keys are limited independently; no key or no limit means no limit', async () => {
    const { limiter } = setup();
    const a = ctxWith({ id: 'a', rateLimit: { requests: 1, window: '1m' } });
    const b = ctxWith({ id: 'b', rateLimit: { requests: 1, window: '1m' } });
    await limiter.checkRequest(a);
    await limiter.checkRequest(b);
    await assert.rejects(limiter.checkRequest(a), is429(/virtual key a/));
    const free = ctxWith({});
    for (let i = 0; i < 100; i++) await limiter.checkRequest(free);
    await limiter.checkRequest({ key: null, policy: OPEN_POLICY });
  });
});

describe('RateLimiter tokens', () => {
  test('a key at its token limit is refused until the window frees it', async () => {
    const { limiter, advance } = setup();
    const ctx = ctxWith({ rateLimit: { tokens: 1000, requests: 100, window: '1m' } });
    await limiter.checkRequest(ctx);
    await limiter.recordTokens(ctx, 999);
    await limiter.checkRequest(ctx); // under the limit: still admitted, even if this one overshoots
    await limiter.recordTokens(ctx, 500);
    await assert.rejects(limiter.checkRequest(ctx), is429(/1000 tokens per 1m/));
    advance(60_000);
    // Previous bucket 1499 tokens weighs 1499×(1-20/60) ≈ 999 < 1000.
    await limiter.checkRequest(ctx);
  });

  test('a refused token check does not count a request', async () => {
    const { limiter } = setup();
    const ctx = ctxWith({ rateLimit: { tokens: 10, requests: 2, window: '1m' } });
    await limiter.recordTokens(ctx, 10);
    await assert.rejects(limiter.checkRequest(ctx), is429(/tokens/));
    await assert.rejects(limiter.checkRequest(ctx), is429(/tokens/));
    const other = ctxWith({ rateLimit: { requests: 2, window: '1m' } });
    await limiter.checkRequest(other);
    await limiter.checkRequest(other);
  });
});

describe('RateLimiter tools', () => {
  test('per-tool limits by glob, returned as a decision rather than thrown', async () => {
    const { limiter, advance } = setup();
    const ctx = ctxWith({ toolLimits: [{ tool: 'docs__*', calls: 2, window: '10s' }] });
    assert.deepEqual(await limiter.checkTool(ctx, 'docs__search'), { ok: true });
    assert.deepEqual(await limiter.checkTool(ctx, 'docs__fetch'), { ok: true });
    const r = await limiter.checkTool(ctx, 'docs__search');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.reason, 'tool_rate_limited');
    assert.ok(r.retryAfterMs > 0 && r.retryAfterMs <= 20_000);
    assert.match(r.message, /docs__search.*2 calls per 10s/);
    assert.deepEqual(await limiter.checkTool(ctx, 'everything__echo'), { ok: true }, 'other tools are not limited');
    advance(r.retryAfterMs);
    assert.deepEqual(await limiter.checkTool(ctx, 'docs__search'), { ok: true });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.js';
import { createMemoryCounterStore } from './memory-counter-store.js';
import { OPEN_POLICY, compilePolicy } from './policy.js';
import { type CallHold, RateLimiter } from './rate-limit.js';
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
  const limiter = new RateLimiter({ store: createMemoryCounterStore(), now: () => now, maxInFlightPerKey: 3 });
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
  // One finished call of `tokens` tokens (a reservation of `reserved`, then its usage).
  const used = async (limiter: RateLimiter, ctx: KeyContext, tokens: number, reserved = tokens) => {
    const hold = await limiter.startCall(ctx, reserved);
    limiter.endCall(hold);
    await limiter.settleTokens(hold, tokens);
  };

  test('a key at its token limit is refused until the window frees it', async () => {
    const { limiter, advance } = setup();
    const ctx = ctxWith({ rateLimit: { tokens: 1000, requests: 100, window: '1m' } });
    await limiter.checkRequest(ctx);
    await used(limiter, ctx, 999, 5000);
    await limiter.checkRequest(ctx); // under the limit: still admitted, even if this one overshoots
    await used(limiter, ctx, 500);
    await assert.rejects(limiter.checkRequest(ctx), is429(/1000 tokens per 1m/));
    advance(60_000);
    // Previous bucket 1499 tokens weighs 1499×(1-20/60) ≈ 999 < 1000.
    await limiter.checkRequest(ctx);
  });

  test('a refused token check does not count a request', async () => {
    const { limiter } = setup();
    const ctx = ctxWith({ rateLimit: { tokens: 10, requests: 2, window: '1m' } });
    await used(limiter, ctx, 10);
    await assert.rejects(limiter.checkRequest(ctx), is429(/tokens/));
    await assert.rejects(limiter.checkRequest(ctx), is429(/tokens/));
    const other = ctxWith({ rateLimit: { requests: 2, window: '1m' } });
    await limiter.checkRequest(other);
    await limiter.checkRequest(other);
  });

  test('calls in flight hold their reservation: the next call is refused until they settle', async () => {
    const { limiter, advance } = setup();
    const ctx = ctxWith({ rateLimit: { tokens: 1000, window: '1m' } });
    const first = await limiter.startCall(ctx, 1200);
    await assert.rejects(limiter.startCall(ctx, 10), is429(/1000 tokens per 1m/));
    await assert.rejects(limiter.checkRequest(ctx), is429(/tokens/));
    limiter.endCall(first);
    await limiter.settleTokens(first, 30);
    await limiter.startCall(ctx, 10); // 30 used: room again
    // A reservation that settles in the next bucket leaves the bucket it was counted in.
    const late = await limiter.startCall(ctx, 900);
    advance(40_000);
    await limiter.settleTokens(late, 0);
    await limiter.startCall(ctx, 10);
  });
});

describe('RateLimiter calls in flight', () => {
  test('a key holds at most its calls in flight; one ending frees a slot; other keys are not affected', async () => {
    const { limiter } = setup();
    const a = ctxWith({ id: 'a' });
    const b = ctxWith({ id: 'b', rateLimit: { inFlight: 1, window: '1m' } });
    const held: CallHold[] = [];
    for (let i = 0; i < 3; i++) held.push(await limiter.startCall(a, 10));
    await assert.rejects(limiter.startCall(a, 10), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'key_calls_in_flight_exhausted');
      assert.equal(err.retryAfter, 1);
      return true;
    });
    const one = await limiter.startCall(b, 10);
    await assert.rejects(limiter.startCall(b, 10), /virtual key b has its 1 upstream calls in flight/);
    limiter.endCall(one);
    await limiter.startCall(b, 10);
    limiter.endCall(held[0]!);
    await limiter.startCall(a, 10);
    // No key, no governance.
    for (let i = 0; i < 10; i++) await limiter.startCall({ key: null, policy: OPEN_POLICY }, 10);
  });

  test('the keys of one team hold at most maxInFlightPerTeam together; a refused call takes no slot', async () => {
    const limiter = new RateLimiter({ store: createMemoryCounterStore(), now: () => 0, maxInFlightPerKey: 3, maxInFlightPerTeam: 4 });
    const team = { id: 'eng', source: 'config' as const };
    const a = { ...ctxWith({ id: 'a', team: 'eng' }), team };
    const b = { ...ctxWith({ id: 'b', team: 'eng' }), team };
    const held = [
      await limiter.startCall(a, 1),
      await limiter.startCall(a, 1),
      await limiter.startCall(b, 1),
      await limiter.startCall(b, 1),
    ];
    await assert.rejects(limiter.startCall(b, 1), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'team_calls_in_flight_exhausted');
      assert.match(err.message, /team eng has its 4 upstream calls in flight/);
      return true;
    });
    await limiter.startCall(ctxWith({ id: 'solo' }), 1); // another team (none): not affected
    limiter.endCall(held[0]!);
    await limiter.startCall(b, 1); // b's refusal above took none of b's 3
  });
});

describe('RateLimiter held slots', () => {
  test('holdSlot takes a slot without tokens, null when none is free; endCall gives it back', async () => {
    const { limiter } = setup();
    const ctx = ctxWith({ rateLimit: { inFlight: 2, tokens: 10, window: '1m' } });
    const held = limiter.holdSlot(ctx);
    assert.ok(held);
    assert.equal(held.tokens, 0);
    const call = await limiter.startCall(ctx, 10);
    assert.equal(limiter.holdSlot(ctx), null);
    await assert.rejects(limiter.startCall(ctx, 1), /2 upstream calls in flight/);
    limiter.endCall(held);
    limiter.endCall(call);
    assert.ok(limiter.holdSlot(ctx));
    assert.ok(limiter.holdSlot({ key: null, policy: OPEN_POLICY }), 'no key, no governance');
  });
});

describe('RateLimiter tool calls in flight', () => {
  test('a key holds at most its tool calls in flight, its team its own bound; refusals are results; ending frees a slot', async () => {
    const limiter = new RateLimiter({
      store: createMemoryCounterStore(),
      now: () => 0,
      maxInFlightPerKey: 1,
      maxToolCallsInFlightPerKey: 2,
      maxToolCallsInFlightPerTeam: 3,
    });
    const team = { id: 'eng', source: 'config' as const };
    const a = { ...ctxWith({ id: 'a', team: 'eng' }), team };
    const b = { ...ctxWith({ id: 'b', team: 'eng', rateLimit: { toolCallsInFlight: 5, window: '1m' } }), team };
    const solo = ctxWith({ id: 'solo', rateLimit: { toolCallsInFlight: 1, window: '1m' } });
    assert.deepEqual([limiter.startToolCall(a), limiter.startToolCall(a)], [{ ok: true }, { ok: true }]);
    const refused = limiter.startToolCall(a);
    assert.equal(refused.ok, false);
    if (refused.ok) return;
    assert.equal(refused.reason, 'key_tool_calls_in_flight_exhausted');
    assert.match(refused.message, /virtual key a has its 2 tool calls in flight/);
    // b's own bound (5) is not reached, its team's (3) is after one more.
    assert.equal(limiter.startToolCall(b).ok, true);
    const teamFull = limiter.startToolCall(b);
    assert.equal(teamFull.ok, false);
    if (teamFull.ok) return;
    assert.equal(teamFull.reason, 'team_tool_calls_in_flight_exhausted');
    assert.match(teamFull.message, /team eng has its 3 tool calls in flight/);
    // rateLimit.toolCallsInFlight overrides the default; other keys are not affected.
    assert.equal(limiter.startToolCall(solo).ok, true);
    assert.equal(limiter.startToolCall(solo).ok, false);
    limiter.endToolCall(a);
    assert.equal(limiter.startToolCall(b).ok, true, 'a slot of the team came back');
    limiter.endToolCall(solo);
    assert.equal(limiter.startToolCall(solo).ok, true);
    // Upstream calls are counted apart: the key's one upstream slot is still free.
    await limiter.startCall(a, 1);
  });

  test('without a configured bound tool calls are not limited; no key, no governance', () => {
    const { limiter } = setup();
    const ctx = ctxWith({});
    for (let i = 0; i < 100; i++) assert.equal(limiter.startToolCall(ctx).ok, true);
    for (let i = 0; i < 10; i++) assert.equal(limiter.startToolCall({ key: null, policy: OPEN_POLICY }).ok, true);
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

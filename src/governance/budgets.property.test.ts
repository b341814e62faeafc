// Property: whatever the sequence of reserves, settles and releases, and whatever the store does
// with each command (answers, fails before running it, or runs it and loses the reply), spent +
// reserved never exceeds the limit on any level, and once the faults stop and the retries have
// run, nothing stays reserved and every settled amount is counted exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BudgetGuard, type Reservation } from './budgets.js';
import type { CounterStore } from './counter-store.js';
import { createMemoryCounterStore } from './memory-counter-store.js';
import { compilePolicy } from './policy.js';
import type { KeyContext, VirtualKeyRecord } from './types.js';

type Fault = 'ok' | 'before' | 'after';

const KEY_LIMIT = 1;
const TEAM_LIMIT = 1.5;
const NOW = Date.UTC(2025, 5, 15);

function context(): KeyContext {
  const key: VirtualKeyRecord = {
    id: 'k',
    keyHash: 'h',
    team: 't',
    models: ['*'],
    tools: { allow: [], deny: [] },
    budget: { usd: KEY_LIMIT, period: 'month' },
    toolLimits: [],
    loop: { maxRounds: 1, maxToolCalls: 1, timeoutMs: 1000 },
    disabled: false,
    source: 'api',
    createdAt: 0,
    updatedAt: 0,
  };
  return { key, team: { id: 't', budget: { usd: TEAM_LIMIT, period: 'month' }, source: 'api' }, policy: compilePolicy(key) };
}

/** The store as a flaky network makes it look: each command answers, is lost, or runs with its reply lost. */
function flaky(inner: CounterStore, next: () => Fault): CounterStore {
  const wrap =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const fault = next();
      if (fault === 'before') throw new Error('timeout (not run)');
      const result = await op(...args);
      if (fault === 'after') throw new Error('timeout (ran, reply lost)');
      return result;
    };
  return {
    ...inner,
    reserve: wrap(inner.reserve),
    settle: wrap(inner.settle),
    release: wrap(inner.release),
  };
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), usd: fc.integer({ min: 0, max: 60 }).map((cents) => cents / 100) }),
  fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('retry' as const) }),
);

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('reserve/settle/release with random store failures: never over the limit, nothing leaks', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(op, { maxLength: 60 }),
      fc.array(fc.constantFrom<Fault>('ok', 'before', 'after'), { minLength: 1, maxLength: 8 }),
      async (ops, faults) => {
        const inner = createMemoryCounterStore({ now: () => NOW });
        let i = 0;
        let faulty = true;
        const store = flaky(inner, () => (faulty ? faults[i++ % faults.length]! : 'ok'));
        const retries: (() => void)[] = [];
        const guard = new BudgetGuard({
          store,
          now: () => NOW,
          wallNow: () => NOW,
          leaseMs: 3_600_000,
          retry: {
            schedule: (run) => {
              retries.push(run);
              return () => undefined;
            },
          },
        });
        const ctx = context();
        const scopes = ['key:k:month:1748736000000', 'team:t:month:1748736000000'];
        const limits = [KEY_LIMIT, TEAM_LIMIT];
        const live: Reservation[] = [];
        let settledUsd = 0;
        const check = async () => {
          for (const [n, scope] of scopes.entries()) {
            const used = (await inner.spent(scope)) + (await inner.reserved(scope));
            assert.ok(used <= limits[n]! + 1e-9, `${scope}: spent + reserved = ${used} > ${limits[n]}`);
          }
        };
        for (const o of ops) {
          if (o.kind === 'reserve') {
            const r = await guard.reserve(ctx, o.usd).catch(() => undefined);
            if (r) live.push(r);
          } else if (o.kind === 'retry') {
            for (const run of retries.splice(0)) run();
            await tick();
          } else if (live.length) {
            const [r] = live.splice(o.pick % live.length, 1);
            if (o.kind === 'settle') {
              const actual = r!.amountUsd * o.share;
              settledUsd += actual;
              void guard.settle(r!, actual);
            } else void guard.release(r!);
            await tick();
          }
          await check();
        }
        // The faults stop; what is still held is released; retries run until none is left.
        faulty = false;
        for (const r of live.splice(0)) void guard.release(r);
        for (let round = 0; round < 50 && (retries.length || guard.pending); round++) {
          for (const run of retries.splice(0)) run();
          await tick();
        }
        assert.equal(guard.pending, 0, 'every settle and release landed');
        for (const scope of scopes) {
          assert.equal(await inner.reserved(scope), 0, `${scope}: nothing stays reserved`);
          assert.ok(Math.abs((await inner.spent(scope)) - settledUsd) < 1e-6, `${scope}: every settle counted once`);
        }
        await guard.close(0);
      },
    ),
    { numRuns: 300, seed: 14 },
  );
});

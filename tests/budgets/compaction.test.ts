// The budget rule against Anthropic's server-side compaction on /v1/messages pass-through: with a
// `compact_20260112` edit in `context_management` (beta compact-2026-01-12), a prompt past the
// edit's trigger (at least 50,000 tokens) is summarised by an extra sampling step inside the same
// request, billed as its own entry of `usage.iterations` that the top-level usage leaves out. The
// gateway settled from the top-level usage, so each such call was billed its whole prompt again
// (and the summary) while the ledger charged the short compacted turn: two 90,000-token prompts were
// billed $1.94 on a $1 budget, the ledger saying $0.07. Under a budget the edit is refused (403
// model_unpriced, param context_management); other context edits, and compaction without a
// budget, go as sent. The mock bills as the API does: both iterations, the top level reporting one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, figure, ledgerSpend, PRICE, postJson, startPassThrough } from './helpers.js';

const BUDGET = 1;
const TRIGGER = 50_000;
const SUMMARY = 3_500;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

const compacts = (body: any) =>
  (body.context_management?.edits ?? []).some((e: any) => String(e.type).startsWith('compact')) &&
  JSON.stringify(body.messages).length > TRIGGER;
/** OpenAI's (Responses): the pass over the whole context, reported here in the response's usage. */
const compactsResponses = (body: any) =>
  (Array.isArray(body.context_management) ? body.context_management : []).some((e: any) => e.type === 'compaction') &&
  JSON.stringify(body.input).length > TRIGGER;

before(async () => {
  const resp = { id: 'resp', key: 'vk-cmpt-resp', models: ['*'], budget: { usd: BUDGET, period: 'month' } };
  ({ mock, gw, stop } = await startPassThrough('cmpt', [...budgetedAndFree('cmpt', BUDGET), resp], { anthropic: true }));
  // The densest text (a token a byte); a compacted Messages call reports only the turn after the summary.
  mock.fallback = (body, path) => {
    if (path.startsWith('/v1/responses')) {
      const input = JSON.stringify(body.input).length;
      const usage = compactsResponses(body) ? { input: input + SUMMARY, output: SUMMARY + 16 } : { input, output: 16 };
      return { kind: 'text', text: 'ok', usage };
    }
    const input = JSON.stringify(body.messages).length;
    if (!compacts(body)) return { kind: 'text', text: 'ok', usage: { input, output: 16 } };
    const iterations = [
      { type: 'compaction' as const, input, output: SUMMARY },
      { type: 'message' as const, input: SUMMARY, output: 16 },
    ];
    return { kind: 'text', text: 'ok', usage: { input: SUMMARY, output: 16, iterations } };
  };
});
after(() => stop?.());

/** What Anthropic bills: every iteration, the compaction step included. */
function billed(): number {
  let tokens = 0;
  for (const r of mock.requests) {
    if (r.path.startsWith('/v1/responses')) {
      const input = JSON.stringify(r.body.input).length;
      tokens += compactsResponses(r.body) ? input + SUMMARY + SUMMARY + 16 : input + 16;
    }
    if (!r.path.startsWith('/v1/messages')) continue;
    const input = JSON.stringify(r.body.messages).length;
    tokens += compacts(r.body) ? input + SUMMARY + SUMMARY + 16 : input + 16;
  }
  return (tokens * PRICE.inputPerMTok) / 1e6;
}

const ask = (key: string, edits: object[]) =>
  fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-beta': 'compact-2026-01-12' },
    body: JSON.stringify({
      model: 'ant/claude-sonnet-4-5',
      max_tokens: 16,
      context_management: { edits },
      messages: [{ role: 'user', content: 'x'.repeat(90_000) }],
    }),
  });

test('compaction cannot be billed past the budget: the edit is refused under one', async () => {
  const statuses: number[] = [];
  const bodies: any[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await ask('vk-cmpt-budgeted', [{ type: 'compact_20260112' }]);
    statuses.push(res.status);
    bodies.push(await res.json());
  }
  figure('two 90,000-token prompts with server-side compaction', billed(), BUDGET);
  assert.ok(
    billed() <= BUDGET + EPS,
    `billed $${billed()} on a $${BUDGET} budget, the ledger saying $${await ledgerSpend(gw, 'budgeted')}`,
  );
  assert.deepEqual(statuses, [403, 403], JSON.stringify(bodies));
  assert.deepEqual([bodies[0].error.type, bodies[0].error.param], ['permission_error', 'context_management']);
});

test('other context edits go as sent under a budget, and compaction without one', async () => {
  const clear = await ask('vk-cmpt-budgeted', [{ type: 'clear_tool_uses_20250919' }]);
  assert.equal(clear.status, 200, await clear.text());
  const free = await ask('vk-cmpt-free', [{ type: 'compact_20260112' }]);
  assert.equal(free.status, 200, await free.text());
  assert.equal(mock.requests.at(-1)!.body.context_management.edits[0].type, 'compact_20260112');
});

test('Responses: server-side compaction cannot pass the budget either: refused under one', async () => {
  const before = billed();
  const post = (key: string, context_management: object[]) =>
    postJson(gw, '/v1/responses', key, { model: 'oai/gpt-5', context_management, input: 'x'.repeat(95_000) });
  const r = await post('vk-cmpt-resp', [{ type: 'compaction', compact_threshold: TRIGGER }]);
  figure('a 95,000-token Responses prompt with server-side compaction', billed() - before, BUDGET);
  assert.ok(billed() - before <= BUDGET + EPS, `billed $${billed() - before} on a $${BUDGET} budget`);
  assert.equal(r.status, 403, JSON.stringify(r.body));
  assert.deepEqual([r.body.error.code, r.body.error.param], ['model_unpriced', 'context_management']);
  const free = await post('vk-cmpt-free', [{ type: 'compaction', compact_threshold: TRIGGER }]);
  assert.equal(free.status, 200, JSON.stringify(free.body));
  assert.equal(mock.requests.at(-1)!.body.context_management[0].type, 'compaction');
});

test('without a budget the compaction step is charged as billed: usage.iterations read, JSON and stream', async () => {
  for (const stream of [false, true]) {
    const before = await ledgerSpend(gw, 'free');
    const billedBefore = billed();
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer vk-cmpt-free', 'anthropic-beta': 'compact-2026-01-12' },
      body: JSON.stringify({
        model: 'ant/claude-sonnet-4-5',
        max_tokens: 16,
        stream,
        context_management: { edits: [{ type: 'compact_20260112' }] },
        messages: [{ role: 'user', content: 'x'.repeat(90_000) }],
      }),
    });
    assert.equal(res.status, 200);
    await res.text();
    const bill = billed() - billedBefore;
    let charged = 0;
    for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 25))) {
      charged = (await ledgerSpend(gw, 'free')) - before;
      if (charged > EPS) break;
    }
    assert.ok(Math.abs(charged - bill) < 1e-9, `stream ${stream}: charged $${charged} for a bill of $${bill}`);
  }
});

// Issue 14, items 3 and 4: calls cut short (the client drops the stream, the upstream breaks it)
// and 2xx answers without usage are charged (what the usage seen proves, else the reservation),
// marked cost_basis = 'estimate' in the ledger, never a silent $0, and their tokens count toward
// token rate limits. On both upstream types.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { MockUpstream } from '../mock-upstream/server.js';
import { outputCapOf, promptTokensOf, tokenizedAnswers } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, ledgerSpend, settled } from './helpers.js';

// $10 per million tokens in and out; every call caps its answer at 200 tokens.
const PRICE = { inputPerMTok: 10, outputPerMTok: 10 };
const CAP = 200;
const BUDGET = 0.01;
const MODELS = { openai: 'openai/gpt-4o-mini', anthropic: 'anthropic/claude-sonnet-4-5' } as const;

let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const keyOf = (id: string) => `vk-cut-${id}-secret`;
const sdk = (id: string) => new OpenAI({ apiKey: keyOf(id), baseURL: gw.baseURL, maxRetries: 0 });

const KEYS = ['drop-openai', 'drop-anthropic', 'break-openai', 'break-anthropic', 'nousage', 'nousage-stream', 'tokens'];

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    providers: { maxRetries: 0 },
    config: {
      pricing: { [MODELS.openai]: PRICE, [MODELS.anthropic]: PRICE },
      virtualKeys: KEYS.map((id) => ({
        id,
        key: keyOf(id),
        models: ['*'],
        budget: { usd: BUDGET, period: 'month' },
        ...(id === 'tokens' ? { rateLimit: { tokens: 150, window: '1h' } } : {}),
      })),
    },
  }));
});
after(() => stop?.());
beforeEach(() => mock.reset());

const ask = (i: number) => [{ role: 'user' as const, content: `Tell me a long story, number ${i}.` }];

/** What the upstream bills for the calls it received: the prompt it got plus the answer up to its cap. */
function upstreamBill(answerTokens: number): number {
  return mock.requests.reduce((usd, r) => {
    const cap = outputCapOf(r.body, r.path) ?? answerTokens;
    return usd + ((promptTokensOf(r.body) + Math.min(cap, answerTokens)) * 10) / 1e6;
  }, 0);
}

async function rowsOf(keyId: string, n: number) {
  const until = Date.now() + 10_000;
  let rows: { status: number; cost_usd: number | null; cost_basis: string }[] = [];
  while (Date.now() < until) {
    rows = await gw.query('SELECT status, cost_usd, cost_basis FROM requests WHERE key_id = ? ORDER BY ts', keyId);
    if (rows.length >= n) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return rows;
}

/** Streams until the first content arrives, then drops the connection (the SDK aborts on break). */
async function dropAfterFirstContent(id: string, model: string, i: number): Promise<'dropped' | number> {
  try {
    const stream = await sdk(id).chat.completions.create({ model, max_tokens: CAP, stream: true, messages: ask(i) });
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) break;
    return 'dropped';
  } catch (err) {
    return (err as { status: number }).status;
  }
}

for (const [kind, model] of Object.entries(MODELS)) {
  describe(`${kind} upstream`, () => {
    test('a client that drops its streams is charged for each, and cannot spend past the budget', { timeout: 60_000 }, async () => {
      mock.fallback = tokenizedAnswers({ answerTokens: CAP, text: 'a long story that takes a while to tell', frameDelayMs: 40 });
      const id = `drop-${kind}`;
      const outcomes: ('dropped' | number)[] = [];
      for (let i = 0; i < 10; i++) {
        outcomes.push(await dropAfterFirstContent(id, model, i));
        // Each drop is recorded (499) before the next request, as a client retrying would see it.
        await rowsOf(id, outcomes.length);
      }
      const u = await settled(gw.url, id);
      const bill = upstreamBill(CAP);
      figure(`10 streams dropped after the first content (${kind}): upstream bill`, bill, BUDGET);
      const rows = await rowsOf(id, outcomes.length);
      const spent = await ledgerSpend(gw, id);
      assert.ok(bill <= BUDGET + EPS, `the upstream billed ${bill} on a ${BUDGET} budget`);
      assert.ok(outcomes.includes(402), `the budget ran out: ${outcomes.join(',')}`);
      for (const r of rows.filter((row) => row.status !== 402)) {
        assert.equal(r.status, 499);
        assert.equal(r.cost_basis, 'estimate');
        assert.ok((r.cost_usd ?? 0) > 0, 'never a silent $0');
      }
      assert.ok(spent >= bill - EPS, `charged ${spent} covers the bill ${bill}`);
      assert.ok(Math.abs(u.spentUsd - spent) < 1e-9, 'counters and ledger agree');
      const calls = await gw.query<{ prompt_tokens: number; cost_usd: number; cost_basis: string }>(
        'SELECT l.prompt_tokens, l.cost_usd, l.cost_basis FROM llm_calls l JOIN requests r ON r.id = l.request_id WHERE r.key_id = ?',
        id,
      );
      for (const c of calls) assert.equal(c.cost_basis, 'estimate');
      if (kind === 'anthropic') {
        // message_start proved the input: charged exactly that plus the reserved output cap.
        const first = mock.requests[0]!;
        assert.equal(calls[0]!.prompt_tokens, promptTokensOf(first.body));
        assert.ok(Math.abs(calls[0]!.cost_usd - ((promptTokensOf(first.body) + CAP) * 10) / 1e6) < 1e-12);
      }
    });

    test('an upstream that breaks mid-stream: charged as an estimate, the client gets an error frame', async () => {
      mock.enqueue({ kind: 'reset-mid-stream', text: 'partial answer before the upstream broke' });
      const id = `break-${kind}`;
      const stream = await sdk(id).chat.completions.create({ model, max_tokens: CAP, stream: true, messages: ask(0) });
      await assert.rejects(async () => {
        for await (const _ of stream);
      });
      const [row] = await rowsOf(id, 1);
      const u = await settled(gw.url, id);
      figure(`upstream broke mid-stream (${kind}): charged`, row!.cost_usd ?? 0, BUDGET);
      assert.equal(row!.cost_basis, 'estimate');
      assert.ok((row!.cost_usd ?? 0) > 0);
      assert.ok(Math.abs(u.spentUsd - (row!.cost_usd ?? 0)) < 1e-9);
    });
  });
}

describe('answers without usage', () => {
  test('a 2xx JSON answer without usage is charged its reservation, marked an estimate', async () => {
    mock.enqueue({ kind: 'text', text: 'no usage here', omitUsage: true });
    await sdk('nousage').chat.completions.create({ model: MODELS.openai, max_tokens: CAP, messages: ask(0) });
    const [row] = await rowsOf('nousage', 1);
    const u = await settled(gw.url, 'nousage');
    figure('2xx without usage: charged', row!.cost_usd ?? 0, BUDGET);
    assert.equal(row!.cost_basis, 'estimate');
    assert.ok((row!.cost_usd ?? 0) >= (CAP * 10) / 1e6, `charged ${row!.cost_usd}`);
    assert.ok(Math.abs(u.spentUsd - (row!.cost_usd ?? 0)) < 1e-9);
  });

  test('a complete stream without a usage chunk likewise', async () => {
    mock.enqueue({ kind: 'text', text: 'no usage here either', omitUsage: true });
    const stream = await sdk('nousage-stream').chat.completions.create({
      model: MODELS.openai,
      max_tokens: CAP,
      stream: true,
      messages: ask(0),
    });
    for await (const _ of stream);
    const [row] = await rowsOf('nousage-stream', 1);
    assert.equal(row!.status, 200);
    assert.equal(row!.cost_basis, 'estimate');
    assert.ok((row!.cost_usd ?? 0) >= (CAP * 10) / 1e6);
  });
});

describe('token rate limits', () => {
  test('the tokens of a dropped stream count: the next request over the token limit is refused', async () => {
    mock.fallback = tokenizedAnswers({ answerTokens: CAP, frameDelayMs: 40 });
    assert.equal(await dropAfterFirstContent('tokens', MODELS.openai, 0), 'dropped');
    await rowsOf('tokens', 1);
    const next = await sdk('tokens')
      .chat.completions.create({ model: MODELS.openai, max_tokens: 5, messages: ask(1) })
      .then(
        () => 200,
        (e: { status: number }) => e.status,
      );
    assert.equal(next, 429);
  });
});

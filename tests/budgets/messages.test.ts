// Issue 17 item 5: the budget guarantees (issue 14) hold on the Messages surface too — the
// reservation is the cap the upstream is sent (added to a pass-through body when a budget applies
// and the client sent none), and streams a client drops are charged, so no key spends past its
// budget by dropping them. Anthropic pass-through, where the bytes are the client's own.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { MockUpstream } from '../mock-upstream/server.js';
import { outputCapOf, promptTokensOf, tokenizedAnswers } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, EPS, figure, ledgerSpend, settled } from './helpers.js';

const PRICE = { inputPerMTok: 10, outputPerMTok: 10, maxOutputTokens: 300 };
const MODEL = 'anthropic/claude-sonnet-4-5';
const CAP = 200;
const BUDGET = 0.01;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
const keyOf = (id: string) => `vk-msg-budget-${id}-secret`;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    providers: { maxRetries: 0 },
    config: {
      pricing: { [MODEL]: PRICE },
      virtualKeys: ['drop', 'nocap'].map((id) => ({ id, key: keyOf(id), models: ['*'], budget: { usd: BUDGET, period: 'month' } })),
    },
  }));
});
after(() => stop?.());
beforeEach(() => mock.reset());

describe('budgets on /v1/messages', () => {
  test('a client that drops its streams is charged for each and cannot spend past the budget', { timeout: 60_000 }, async () => {
    mock.fallback = tokenizedAnswers({ answerTokens: CAP, text: 'a long story that takes a while to tell', frameDelayMs: 40 });
    const client = new Anthropic({ apiKey: keyOf('drop'), baseURL: gw.url, maxRetries: 0 });
    const outcomes: (string | number)[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        const stream = await client.messages.create({
          model: MODEL,
          max_tokens: CAP,
          stream: true,
          messages: [{ role: 'user', content: `story ${i}` }],
        });
        for await (const event of stream) if (event.type === 'content_block_delta') break;
        outcomes.push('dropped');
      } catch (err) {
        outcomes.push((err as { status: number }).status);
        assert.equal((err as any).error?.error?.type, 'billing_error', 'a budget refusal in Anthropic shape');
      }
      // Each drop is recorded before the next request, as a client retrying would see it.
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await gw.query("SELECT id FROM requests WHERE key_id = 'drop'")).length < outcomes.length)
        await new Promise((r) => setTimeout(r, 25));
    }
    const u = await settled(gw.url, 'drop');
    const bill = mock.requests.reduce(
      (usd, r) => usd + ((promptTokensOf(r.body) + Math.min(outputCapOf(r.body, r.path) ?? CAP, CAP)) * 10) / 1e6,
      0,
    );
    figure('10 Messages streams dropped after the first delta: upstream bill', bill, BUDGET);
    assert.ok(bill <= BUDGET + EPS, `the upstream billed ${bill} on a ${BUDGET} budget`);
    assert.ok(outcomes.includes(402), `the budget ran out: ${outcomes.join(',')}`);
    const rows = await gw.query<any>("SELECT status, cost_usd, cost_basis, surface FROM requests WHERE key_id = 'drop'");
    for (const r of rows.filter((row) => row.status !== 402)) {
      assert.deepEqual([r.status, r.cost_basis, r.surface], [499, 'estimate', 'messages']);
      assert.ok(r.cost_usd > 0, 'never a silent $0');
    }
    const spent = await ledgerSpend(gw, 'drop');
    assert.ok(spent >= bill - EPS, `charged ${spent} covers the bill ${bill}`);
    assert.ok(Math.abs(u.spentUsd - spent) < 1e-9, 'counters and ledger agree');
    // message_start proved the input: charged exactly that plus the reserved output cap.
    const [call] = await gw.query<any>(
      "SELECT l.prompt_tokens, l.cost_usd FROM llm_calls l JOIN requests r ON r.id = l.request_id WHERE r.key_id = 'drop' ORDER BY l.ts LIMIT 1",
    );
    assert.equal(call.prompt_tokens, promptTokensOf(mock.requests[0]!.body));
    assert.ok(Math.abs(call.cost_usd - ((call.prompt_tokens + CAP) * 10) / 1e6) < 1e-12);
  });

  test('no max_tokens under a budget: the cap reserved is the cap sent, written into the pass-through body', async () => {
    mock.fallback = tokenizedAnswers({ answerTokens: 50 });
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'short' }] });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': keyOf('nocap') },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal(mock.requests[0]!.body.max_tokens, PRICE.maxOutputTokens);
  });
});

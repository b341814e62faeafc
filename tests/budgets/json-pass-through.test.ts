// The budget rule on the JSON pass-throughs (Messages to an Anthropic upstream, Responses to a
// Responses upstream), whose last round's settlement, token count and llm_calls row, and the
// requests row, run only after the client has the answer (messages/native-run.ts and
// responses/native-run.ts `after`, run by the route once the body is written). Many at once on one
// budget, half of the clients gone the moment the answer's first bytes reach them: the upstream
// bills at most the budget, every answer is in the ledger (its requests and llm_calls rows), the
// counters agree with the ledger, and nothing stays reserved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { MockUpstream } from '../mock-upstream/server.js';
import { outputCapOf, promptTokensOf } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { assertRanOut, EPS, figure, ledgerSpend, PRICE, settled, startPassThrough } from './helpers.js';

const BUDGET = 0.02;
const VK = 'vk-json-pass-through-budget';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('jpt', [{ id: 'jpt', key: VK, models: ['*'], budget: { usd: BUDGET, period: 'month' } }], {
    anthropic: true,
  }));
  // Usage as a real upstream reports it: the prompt it got (a Responses input counted as one message) and the whole cap it was sent.
  mock.fallback = (body, path) => {
    const responses = path.endsWith('/responses');
    const input = responses ? promptTokensOf({ messages: [{ content: body.input }] }) : promptTokensOf(body);
    const cap = responses ? body.max_output_tokens : outputCapOf(body, path);
    return { kind: 'text', text: 'ok', usage: { input, output: cap ?? PRICE.maxOutputTokens }, delayMs: 20 };
  };
});
after(() => stop?.());

interface Outcome {
  status: number;
  id: string | undefined;
}

/** One POST; `leave`: the client destroys its socket as soon as the answer's head arrives. */
function post(path: string, body: object, leave: boolean): Promise<Outcome> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': VK, 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => {
      const outcome = { status: res.statusCode!, id: res.headers['x-request-id'] as string | undefined };
      if (leave) {
        req.destroy();
        resolve(outcome);
        return;
      }
      res.resume();
      res.on('end', () => resolve(outcome));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('many JSON pass-throughs at once, half the clients gone at the first byte: the budget holds and every answer is in the ledger', async () => {
  const sends: Promise<Outcome>[] = [];
  for (let i = 0; i < 40; i++) {
    const leave = i % 2 === 1;
    sends.push(
      i % 4 < 2
        ? post(
            '/v1/messages',
            { model: 'ant/claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: `tell me ${i}` }] },
            leave,
          )
        : post('/v1/responses', { model: 'oai/gpt-5', input: `tell me ${i}`, max_output_tokens: 300, store: false }, leave),
    );
  }
  const outcomes = await Promise.all(sends);
  const answered = outcomes.filter((o) => o.status === 200);
  assert.ok(answered.length > 0, 'some were answered');
  assertRanOut(outcomes.map((o) => o.status));

  const u = await settled(gw.url, 'jpt');
  assert.ok(u.reservedUsd <= EPS, `nothing stays reserved: ${u.reservedUsd}`);
  const bill = mock.requests.reduce((usd, r) => {
    const responses = r.path.endsWith('/responses');
    const input = responses ? promptTokensOf({ messages: [{ content: r.body.input }] }) : promptTokensOf(r.body);
    const cap = responses ? r.body.max_output_tokens : outputCapOf(r.body, r.path);
    return usd + ((input + (cap ?? PRICE.maxOutputTokens)) * 10) / 1e6;
  }, 0);
  figure('40 concurrent Messages/Responses JSON pass-throughs, half dropped at the first byte: upstream bill', bill, BUDGET);
  assert.ok(bill <= BUDGET + EPS, `the upstream billed ${bill} on a ${BUDGET} budget`);
  assert.equal(mock.requests.length, answered.length, 'each answer is one upstream call');

  const spent = await ledgerSpend(gw, 'jpt');
  assert.ok(Math.abs(spent - bill) < 1e-9, `charged ${spent} = billed ${bill}`);
  assert.ok(Math.abs(u.spentUsd - spent) < 1e-9, `counters ${u.spentUsd} and ledger ${spent} agree`);
  for (const { id } of answered) {
    const [row] = await gw.query<any>('SELECT status, cost_usd FROM requests WHERE id = ?', id);
    assert.equal(row?.status, 200, `request ${id} in the ledger`);
    assert.ok(row.cost_usd > 0);
    const calls = await gw.query<any>('SELECT status FROM llm_calls WHERE request_id = ?', id);
    assert.deepEqual(
      calls.map((c) => c.status),
      [200],
    );
  }
});

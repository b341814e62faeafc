// The budget rule against Anthropic-schema client tools on /v1/messages pass-through: a bash, text
// editor, computer-use or memory tool is a few dozen bytes of the body (`{"type":
// "computer_20250124", "name": "computer", …}`), but Anthropic expands each into a prompt of its
// own, billed as input (computer use: 466–499 tokens of system prompt plus 735 for the tool; bash
// 245; text editor 700). The input bound counted the bytes alone, so a call reserved at $0.007 was
// billed $0.016 on a $0.012 budget. Each such tool now adds its documented figure to the bound
// (wire/messages/client-tools.ts). (A typed tool the gateway does not know at all is refused under a
// budget: unknown-tool-types.test.ts.)
// The mock bills as Anthropic does: the tool-use system prompt (346) and each tool's prompt.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { promptTokensOf } from '../mock-upstream/tokenizer.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { EPS, figure, ledgerSpend, PRICE, postJson, startPassThrough } from './helpers.js';

const BUDGET = 0.012;
/** What Anthropic documents each client tool's prompt at, and its tool-use system prompt (auto). */
const PROMPTS: Record<string, number> = { bash: 245, text_editor: 700, computer: 499 + 735 };
const TOOL_USE_PROMPT = 346;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;
/** Each call's bill, as the upstream counts it. */
const bills: number[] = [];

before(async () => {
  ({ mock, gw, stop } = await startPassThrough(
    'ctool',
    [
      ...['computer', 'editor'].map((id) => ({ id, key: `vk-ctool-${id}`, models: ['*'], budget: { usd: BUDGET, period: 'month' } })),
      { id: 'free', key: 'vk-ctool-free', models: ['*'] },
    ],
    { anthropic: true },
  ));
  mock.fallback = (body) => {
    let input = promptTokensOf(body);
    if (body.tools?.length) input += TOOL_USE_PROMPT;
    for (const t of body.tools ?? []) input += PROMPTS[String(t.type).replace(/_\d{8}$/, '')] ?? 0;
    bills.push(((input + 16) * PRICE.inputPerMTok) / 1e6);
    return { kind: 'text', text: 'done', usage: { input, output: 16 } };
  };
});
after(() => stop?.());

const ask = (key: string, tools: object[]) =>
  postJson(gw, '/v1/messages', `vk-ctool-${key}`, {
    model: 'ant/claude-sonnet-4-5',
    max_tokens: 16,
    tools,
    messages: [{ role: 'user', content: 'click the button' }],
  });
const computer = { type: 'computer_20250124', name: 'computer', display_width_px: 1024, display_height_px: 768 };
const bashAndEditor = [
  { type: 'bash_20250124', name: 'bash' },
  { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
];

test('client tools cannot spend past the budget: each reserves the prompt Anthropic adds for it', async () => {
  const sent = mock.requests.length;
  const a = await ask('computer', [computer]);
  const b = await ask('editor', bashAndEditor);
  await gw.quiet();
  const spent = (await ledgerSpend(gw, 'computer')) + (await ledgerSpend(gw, 'editor'));
  figure('Messages client tools (computer use; bash + text editor), one request each', spent, BUDGET);
  // Billed $0.016 and $0.013 upstream: more than the $0.012 budget, so neither may go.
  assert.deepEqual(
    [a, b].map((r) => [r.status, r.body.error?.type]),
    [
      [402, 'billing_error'],
      [402, 'billing_error'],
    ],
  );
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
  assert.ok(spent <= EPS, `spent $${spent}`);
  const rows = await gw.query<{ status: number; error_type: string }>(
    "SELECT status, error_type FROM requests WHERE key_id IN ('computer', 'editor')",
  );
  assert.deepEqual(
    rows.map((r) => [r.status, r.error_type]),
    [
      [402, 'key_budget_exceeded'],
      [402, 'key_budget_exceeded'],
    ],
  );
});

test('without a budget they go as sent, charged what the upstream billed', async () => {
  const before = bills.length;
  for (const tools of [[computer], bashAndEditor]) assert.equal((await ask('free', tools)).status, 200);
  assert.deepEqual(mock.requests.at(-1)?.body.tools, bashAndEditor);
  await gw.quiet();
  const billed = bills.slice(before).reduce((n, b) => n + b, 0);
  assert.ok(billed > 2 * BUDGET, `each billed over the budget above: $${billed}`);
  assert.ok(Math.abs((await ledgerSpend(gw, 'free')) - billed) < EPS);
});

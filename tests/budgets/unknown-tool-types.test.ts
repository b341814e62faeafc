// The budget rule against tool types the gateway does not know, on both pass-through surfaces: a
// typed tool that is neither a plain tool (function, custom, Codex's namespace), a client tool the
// gateway can bound (Anthropic's bash, text editor, computer use, memory; OpenAI's local_shell,
// shell, apply_patch, computer use) nor a hosted tool it knows went upstream under a budget
// unchecked, though the upstream may expand it into a prompt of its own or bill its uses beyond
// tokens (an Anthropic advisor tool runs a second model): 20,000 tokens billed here, $0.20 on a $0.05
// budget. Under a budget it is now refused before anything is sent (403 hosted_tool_unpriced, as an
// unpriced hosted tool is); without one it goes as sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, figure, ledgerSpend, postJson, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
/** What an unknown tool brings in per request: 20,000 tokens ($0.20 at PRICE). */
const UNKNOWN_TOKENS = 20_000;
const KNOWN = new Set(['function', 'custom', 'namespace', 'tool_search', 'local_shell', 'shell', 'apply_patch', 'bash_20250124']);
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('utt', budgetedAndFree('utt', BUDGET), { anthropic: true }));
  mock.fallback = (body) => {
    const unknown = (body.tools ?? []).some((t: { type?: string }) => t.type !== undefined && !KNOWN.has(t.type));
    return { kind: 'text', text: 'ok', usage: { input: 10 + (unknown ? UNKNOWN_TOKENS : 0), output: 16 } };
  };
});
after(() => stop?.());

const responses = (tools: object[]) => ({ model: 'oai/gpt-5', max_output_tokens: 16, input: 'go', tools });
const messages = (tools: object[]) => ({
  model: 'ant/claude-sonnet-4-5',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'go' }],
  tools,
});
const fn = { type: 'function', name: 'f', parameters: { type: 'object' } };
const unknownResponses = [fn, { type: 'future_tool_2026_11_01', size: 'large' }];
const unknownMessages = [
  { name: 'f', input_schema: { type: 'object' } },
  { type: 'advisor_20260301', name: 'advisor' },
];

test('under a budget, a tool type the gateway does not know is refused before anything is sent', async () => {
  const sent = mock.requests.length;
  const outcomes = [
    await postJson(gw, '/v1/responses', 'vk-utt-budgeted', responses(unknownResponses)),
    await postJson(gw, '/v1/messages', 'vk-utt-budgeted', messages(unknownMessages)),
  ];
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'budgeted');
  figure('unknown tool types (Responses, Messages), 2 requests', spent, BUDGET);
  assert.ok(spent <= EPS, `spent $${spent}`);
  assert.deepEqual(
    outcomes.map((o) => [o.status, o.body.error?.code, o.body.error?.param]),
    [
      [403, 'hosted_tool_unpriced', 'tools[1]'],
      [403, 'hosted_tool_unpriced', 'tools[1]'],
    ],
  );
  assert.match(outcomes[0]!.body.error.message, /tool type future_tool_2026_11_01 is not one the gateway knows/);
  assert.match(outcomes[1]!.body.error.message, /tool type advisor_20260301 is not one the gateway knows/);
  assert.equal(outcomes[1]!.body.type, 'error', 'in the Messages error shape');
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
  const rows = await gw.query<{ status: number; error_type: string; surface: string }>(
    "SELECT status, error_type, surface FROM requests WHERE key_id = 'budgeted' ORDER BY ts",
  );
  assert.deepEqual(
    rows.map((r) => [r.status, r.error_type, r.surface]),
    [
      [403, 'hosted_tool_unpriced', 'responses'],
      [403, 'hosted_tool_unpriced', 'messages'],
    ],
  );
});

// (Hosted tools, web search…, are held by their fees: hosted-tool-fees-*.test.ts.)
test('under a budget, the tool types Codex, the Agents SDK and Claude Code send still go', async () => {
  const codex = [
    { type: 'namespace', name: 'mcp__docs', description: 'd', tools: [fn] },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
    { type: 'tool_search' },
    { type: 'local_shell' },
    { type: 'shell' },
    { type: 'apply_patch' },
  ];
  const r = await postJson(gw, '/v1/responses', 'vk-utt-budgeted', responses(codex));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const claude = [
    { type: 'custom', name: 'f', input_schema: { type: 'object' } },
    { type: 'bash_20250124', name: 'bash' },
  ];
  const m = await postJson(gw, '/v1/messages', 'vk-utt-budgeted', messages(claude));
  assert.equal(m.status, 200, JSON.stringify(m.body));
});

test('without a budget they go as sent', async () => {
  const a = await postJson(gw, '/v1/responses', 'vk-utt-free', responses(unknownResponses));
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(mock.requests.at(-1)?.body.tools, unknownResponses);
  const b = await postJson(gw, '/v1/messages', 'vk-utt-free', messages(unknownMessages));
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.deepEqual(mock.requests.at(-1)?.body.tools, unknownMessages);
});

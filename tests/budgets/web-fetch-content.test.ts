// The budget rule against Anthropic's web_fetch server tool on /v1/messages pass-through: each fetch
// brings the page (or PDF) into the context as input tokens, and whoever serves the URL — the
// client itself, if it likes — decides how long it is. A use reserved hostedTools.contentTokensPerUse
// (10,000) as an allowance, but nothing held the upstream to it: a 100,000-token page cost $1 on a
// $0.15 budget. Under a budget the tool now goes with `max_content_tokens` at that allowance (the
// client's own cap kept when smaller), so the content reserved is the content sent for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { EPS, figure, ledgerSpend, startPassThrough } from './helpers.js';

const BUDGET = 0.15;
const PAGE_TOKENS = 100_000;
const ALLOWANCE = 10_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough(
    'wfc',
    ['fetch', 'small'].map((id) => ({ id, key: `vk-wfc-${id}`, models: ['*'], budget: { usd: BUDGET, period: 'month' } })),
    { anthropic: true },
  ));
  // Each fetch brings the page in, truncated at the tool's max_content_tokens as the API does.
  mock.fallback = (body) => {
    const tool = body.tools?.find((t: { type?: string }) => t.type?.startsWith('web_fetch'));
    const uses = tool ? (tool.max_uses ?? 1) : 0;
    const page = Math.min(PAGE_TOKENS, tool?.max_content_tokens ?? PAGE_TOKENS);
    return { kind: 'text', text: 'read it', usage: { input: 10 + uses * page, output: 16 } };
  };
});
after(() => stop?.());

async function fetchPage(key: string, tool: object): Promise<number> {
  const res = await fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: 'ant/claude-sonnet-4-5',
      max_tokens: 16,
      tools: [{ type: 'web_fetch_20250910', name: 'web_fetch', max_uses: 1, ...tool }],
      messages: [{ role: 'user', content: 'read https://pages.example.com/long' }],
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

test('a fetched page cannot spend past the budget: max_content_tokens sent at the allowance reserved', async () => {
  const statuses = [await fetchPage('vk-wfc-fetch', {}), await fetchPage('vk-wfc-fetch', {})];
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'fetch');
  figure('web_fetch of a 100,000-token page (Anthropic server tool), 2 requests', spent, BUDGET);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
  assert.deepEqual(statuses, [200, 402]);
  assert.equal(mock.requests[0]!.body.tools[0].max_content_tokens, ALLOWANCE);
});

test("the client's smaller cap goes as sent; a larger one is lowered", async () => {
  assert.equal(await fetchPage('vk-wfc-small', { max_content_tokens: 500 }), 200);
  assert.equal(mock.requests.at(-1)!.body.tools[0].max_content_tokens, 500);
  assert.equal(await fetchPage('vk-wfc-small', { max_content_tokens: 1_000_000 }), 200);
  assert.equal(mock.requests.at(-1)!.body.tools[0].max_content_tokens, ALLOWANCE);
});

// A Chat Completions `file` part by `file_id` (sent as such, or a Responses input_file by file_id
// translated for an upstream that speaks chat only) is billed as the stored file's pages and text,
// while the body holds only the id: under a budget it is refused before anything is sent (400
// stored_input_under_budget, param naming the part); file_data still goes, counted at its bytes; a key
// without a budget passes it on as sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import { passThroughProviders, type TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ADMIN, budgetedAndFree, EPS, figure, ledgerSpend, PRICE, postJson } from './helpers.js';

const BUDGET = 0.05;
const FILE_TOKENS = 50_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    adminToken: ADMIN,
    config: ({ mock }) => {
      const { oai } = passThroughProviders(mock, 'cfi', { maxRetries: 0 });
      // `oc` speaks chat only: a Responses request to it is translated to chat.
      const oc = { ...oai, apis: ['chat'] };
      return { providers: { oai, oc }, pricing: { 'oai/gpt-5': PRICE, 'oc/gpt-5': PRICE }, virtualKeys: budgetedAndFree('cfi', BUDGET) };
    },
  }));
  mock.fallback = (body) => {
    const refs = JSON.stringify(body).match(/"file_id"/g)?.length ?? 0;
    return { kind: 'text', text: 'read it', usage: { input: 10 + refs * FILE_TOKENS, output: 16 } };
  };
});
after(() => stop?.());

const post = (key: string, body: object, path = '/v1/chat/completions') => postJson(gw, path, key, body);

const chat = (file: object) => ({
  model: 'oai/gpt-5',
  max_completion_tokens: 16,
  messages: [
    { role: 'system', content: 'be brief' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'summarize' },
        { type: 'file', file },
      ],
    },
  ],
});

const translated = (file: object) => ({
  model: 'oc/gpt-5',
  max_output_tokens: 16,
  input: [
    {
      role: 'user',
      content: [
        { type: 'input_text', text: 'summarize' },
        { type: 'input_file', filename: 'r.pdf', ...file },
      ],
    },
  ],
});

test('under a budget, a chat file part by file_id cannot spend past it: refused before anything is sent', async () => {
  const sent = mock.requests.length;
  const res = await post('vk-cfi-budgeted', chat({ file_id: 'file-big' }));
  const tr = await post('vk-cfi-budgeted', translated({ file_id: 'file-big' }), '/v1/responses');
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'budgeted');
  figure('file by file_id on chat and on Responses translated to chat, 2 requests', spent, BUDGET);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
  assert.deepEqual([res.status, res.body.error?.code, res.body.error?.param], [400, 'stored_input_under_budget', 'messages[1].content[1]']);
  assert.deepEqual([tr.status, tr.body.error?.code, tr.body.error?.param], [400, 'stored_input_under_budget', 'input[0].content[1]']);
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
});

test("without a budget it passes through as sent; a file's own data passes under one", async () => {
  assert.equal((await post('vk-cfi-free', chat({ file_id: 'file-big' }))).status, 200);
  assert.equal((await post('vk-cfi-free', translated({ file_id: 'file-big' }), '/v1/responses')).status, 200);
  const data = await post('vk-cfi-budgeted', chat({ filename: 'r.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' }));
  assert.equal(data.status, 200, JSON.stringify(data.body));
  const trData = await post('vk-cfi-budgeted', translated({ file_data: 'data:application/pdf;base64,JVBERi0=' }), '/v1/responses');
  assert.equal(trData.status, 200, JSON.stringify(trData.body));
});

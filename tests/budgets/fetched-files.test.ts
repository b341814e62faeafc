// The budget rule against files the upstream reads by reference: a Responses `input_file` by
// `file_url` (fetched from wherever the client points) or by `file_id` (the upstream's file store),
// a stored `prompt`, and an Anthropic `document` by `url` or `file`. Their pages and text are billed
// as input, and the request holds only their name: a 100-page PDF is ~50 bytes of the body. Under a
// budget such a request is refused before anything is sent (400 remote_input_under_budget for a URL,
// stored_input_under_budget for the upstream's store), wherever the part sits (a message, a
// function_call_output, a tool_result); the file's own data (file_data, a base64 source) is still
// counted at its bytes. A key without a budget passes them on as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { Stack } from '../helpers/stack.js';
import { budgetedAndFree, EPS, figure, ledgerSpend, postJson, startPassThrough } from './helpers.js';

const BUDGET = 0.05;
/** What one referenced file brings in: 50,000 tokens ($0.50 at PRICE). */
const FILE_TOKENS = 50_000;
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startPassThrough('ffr', budgetedAndFree('ffr', BUDGET), { anthropic: true }));
  mock.fallback = (body) => {
    const refs = JSON.stringify(body).match(/"file_url"|"file_id"|"type":"url"|"type":"file"|"prompt":\{/g)?.length ?? 0;
    return { kind: 'text', text: 'read it', usage: { input: 10 + refs * FILE_TOKENS, output: 16 } };
  };
});
after(() => stop?.());

const post = (path: string, key: string, body: object) => postJson(gw, path, key, body);

const responses = (input: unknown, extra: object = {}) => ({ model: 'oai/gpt-5', max_output_tokens: 16, input, ...extra });
const file = (ref: object) => ({ type: 'input_file', filename: 'report.pdf', ...ref });
const messages = (source: object, inToolResult = false) => {
  const doc = { type: 'document', source };
  return {
    model: 'ant/claude-sonnet-4-5',
    max_tokens: 16,
    messages: inToolResult
      ? [
          { role: 'user', content: 'read it' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [doc] }] },
        ]
      : [{ role: 'user', content: [doc, { type: 'text', text: 'summarize' }] }],
  };
};

const cases: [path: string, body: object, code: string, param: string][] = [
  [
    '/v1/responses',
    responses([{ role: 'user', content: [file({ file_url: 'https://files.example.com/big.pdf' })] }]),
    'remote_input_under_budget',
    'input[0].content[0]',
  ],
  [
    '/v1/responses',
    responses([{ role: 'user', content: [file({ file_id: 'file-big' })] }]),
    'stored_input_under_budget',
    'input[0].content[0]',
  ],
  [
    '/v1/responses',
    responses([
      { type: 'function_call', call_id: 'c1', name: 'get', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: [file({ file_url: 'https://files.example.com/big.pdf' })] },
    ]),
    'remote_input_under_budget',
    'input[1].output[0]',
  ],
  ['/v1/responses', responses('go on', { prompt: { id: 'pmpt_big', version: '1' } }), 'stored_input_under_budget', 'prompt'],
  [
    '/v1/messages',
    messages({ type: 'url', url: 'https://files.example.com/big.pdf' }),
    'remote_input_under_budget',
    'messages[0].content[0].source',
  ],
  [
    '/v1/messages',
    messages({ type: 'file', file_id: 'file_big' }, true),
    'stored_input_under_budget',
    'messages[2].content[0].content[0].source',
  ],
];

test('under a budget, files by reference cannot spend past it: refused before anything is sent', async () => {
  const sent = mock.requests.length;
  const outcomes: [number, string, string][] = [];
  for (const [path, body] of cases) {
    const res = await post(path, 'vk-ffr-budgeted', body);
    outcomes.push([res.status, res.body.error?.code, res.body.error?.param]);
  }
  await gw.quiet();
  const spent = await ledgerSpend(gw, 'budgeted');
  figure('files, prompts and documents by reference (Responses, Messages), 6 requests', spent, BUDGET);
  assert.ok(spent <= BUDGET + EPS, `spent $${spent} of a $${BUDGET} budget`);
  assert.deepEqual(
    outcomes,
    cases.map(([, , code, param]) => [400, code, param]),
  );
  assert.equal(mock.requests.length, sent, 'nothing reached the upstream');
});

test("without a budget they pass through as sent; a file's own data passes under one", async () => {
  for (const [path, body] of cases) assert.equal((await post(path, 'vk-ffr-free', body)).status, 200, `${path} ${JSON.stringify(body)}`);
  const data = await post(
    '/v1/responses',
    'vk-ffr-budgeted',
    responses([{ role: 'user', content: [file({ file_data: 'data:application/pdf;base64,JVBERi0=' })] }]),
  );
  assert.equal(data.status, 200, JSON.stringify(data.body));
});

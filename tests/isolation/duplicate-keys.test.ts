// Duplicate top-level keys on the pass-through surfaces: the gateway reads a body with JSON.parse
// (the last of two equal keys wins) and sends its bytes upstream nearly as they came (only `model`
// rewritten, the first one). An upstream whose parser keeps the first key would generate
// {"max_tokens":100000,…,"max_tokens":1}'s 100,000 tokens against a reservation for 1. Such a body
// is refused before anything is sent; the same names nested or inside text pass byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawBodyGateway } from './raw-body-gateway.js';

const gateway = rawBodyGateway('dk', 'vk-duplicate-keys-01');
const { post } = gateway;

const MSG = '"messages":[{"role":"user","content":"hi"}]';
const ANT = '"model":"ant/claude-sonnet-4-5"';
const OAI = '"model":"oai/gpt-5"';

const refused: [path: string, key: string, body: string][] = [
  ['/messages', 'max_tokens', `{"max_tokens":100000,${ANT},${MSG},"max_tokens":1}`],
  ['/messages', 'model', `{"model":"ant/other",${MSG},"max_tokens":8,${ANT}}`],
  ['/messages', 'stream', `{"stream":true,${ANT},"max_tokens":8,${MSG},"stream":false}`],
  ['/messages', 'messages', `{${ANT},"max_tokens":8,"messages":[{"role":"user","content":"a long one"}],${MSG}}`],
  // The second spelling escaped: JSON.parse decodes it to the same key.
  ['/messages', 'max_tokens', `{"max\\u005ftokens":100000,${ANT},${MSG},"max_tokens":1}`],
  ['/messages/count_tokens', 'model', `{"model":"ant/other",${ANT},${MSG}}`],
  ['/responses', 'max_output_tokens', `{"max_output_tokens":100000,${OAI},"input":"hi","max_output_tokens":16}`],
  ['/responses', 'model', `{${OAI},"input":"hi","model":"oai/gpt-5"}`],
  ['/responses', 'stream', `{ "stream" : true ,${OAI},"input":"hi","stream":false}`],
  // Read under a budget only (refused: stored input, a tier above the table's rates), yet sent as they came.
  ['/responses', 'conversation', `{"conversation":"conv_big",${OAI},"input":"hi","conversation":null}`],
  ['/responses', 'prompt', `{"prompt":{"id":"pmpt_big"},${OAI},"input":"hi","prompt":null}`],
  ['/responses', 'service_tier', `{"service_tier":"priority",${OAI},"input":"hi","service_tier":"default"}`],
];

test('a governed top-level key sent twice is refused with a 400 naming it, and nothing goes upstream', async () => {
  for (const [path, key, body] of refused) {
    const { status, json } = await post(path, body);
    assert.equal(status, 400, `${path} ${body}: ${JSON.stringify(json)}`);
    assert.equal(json.error.type, 'invalid_request_error');
    assert.equal(json.error.code, 'duplicate_key');
    assert.equal(json.error.param, key);
    assert.match(json.error.message, new RegExp(`"${key}" more than once`));
  }
  assert.deepEqual(
    gateway.mock.requests.map((r) => r.raw),
    [],
  );
});

const passed: [path: string, body: string][] = [
  // The names nested, as a value, and inside text: only the top level counts.
  [
    '/messages',
    `{${ANT},"max_tokens":8,"messages":[{"role":"user","content":"say \\"max_tokens\\":100000 and \\"model\\""}],` +
      `"tools":[{"name":"t","input_schema":{"type":"object","properties":{"max_tokens":{"type":"integer"},"model":{"type":"string"}}}}],` +
      `"metadata":{"user_id":"max_tokens"}}`,
  ],
  [
    '/responses',
    `{${OAI},"input":[{"role":"user","content":"\\"max_output_tokens\\": 1, \\"stream\\": true"}],` +
      `"text":{"format":{"type":"json_schema","name":"x","schema":{"type":"object","properties":{"max_output_tokens":{},"model":{}}}}},"max_output_tokens":16}`,
  ],
];

test('the same names nested or inside text pass, the body sent as it came (model rewritten)', async () => {
  for (const [path, body] of passed) {
    const { status, text } = await post(path, body);
    assert.equal(status, 200, `${path}: ${text}`);
    const sent = body.replace(ANT, '"model":"claude-sonnet-4-5"').replace(OAI, '"model":"gpt-5"');
    assert.equal(gateway.mock.requests.at(-1)!.raw, sent);
  }
});

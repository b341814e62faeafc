// Request checks against crafted names (the hand checks in front of zod and the schemas behind them):
// a name that is also a member of every JS object (constructor, toString, __proto__…) is only a
// name. A Responses input item whose `type` was such a name made the item check look up
// Object.prototype's member as its schema and throw a TypeError: a 500 instead of the 400 (or the
// pass-through an unknown item type gets). And `__proto__` keys never become what the gateway reads.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const VK = 'vk-request-check-keys-01';
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: {
        oai: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-rck' }], models: ['gpt-5'], apis: ['chat', 'responses'] },
        chat: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-rck' }], models: ['gpt-4o-mini'] },
        ant: { type: 'anthropic', baseUrl: mock.anthropicBaseUrl, keys: [{ value: 'sk-ant-rck' }], models: ['claude-sonnet-4-5'] },
      },
      virtualKeys: [{ id: 'rck', key: VK, models: ['*'], budget: { usd: 10, period: 'month' } }],
    },
  });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

async function post(path: string, body: string): Promise<{ status: number; json: any; text: string; type: string | null }> {
  const res = await fetch(`${gw.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') };
}

const MEMBER_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

test('a Responses input item typed with an Object.prototype member name is an unknown item, never a 500', async () => {
  for (const model of ['oai/gpt-5', 'chat/gpt-4o-mini']) {
    for (const type of MEMBER_NAMES) {
      const { status, json } = await post('/responses', `{"model":"${model}","input":[{"type":"${type}"}]}`);
      assert.ok(status < 500, `${model} item type ${type}: ${status} ${JSON.stringify(json)}`);
      // The native upstream gets it as sent (an unknown item is kept); the translated path cannot carry it.
      if (model === 'oai/gpt-5') assert.equal(status, 200, `${type}: ${JSON.stringify(json)}`);
      else assert.equal(json.error.type, 'invalid_request_error', `${type}: ${JSON.stringify(json)}`);
    }
  }
  const native = mock.requests.filter((r) => r.path.endsWith('/responses'));
  assert.deepEqual(
    native.map((r) => JSON.parse(r.raw).input[0].type),
    MEMBER_NAMES,
  );
});

test('__proto__ keys are only bytes for the upstream: the gateway reads neither stream nor caps through them', async () => {
  // Messages pass-through: `stream` and `max_tokens` hidden under __proto__ leave the answer JSON.
  const messages = await post(
    '/messages',
    '{"model":"ant/claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}],"__proto__":{"stream":true,"max_tokens":1}}',
  );
  assert.equal(messages.status, 200, messages.text);
  assert.match(messages.type ?? '', /application\/json/);
  assert.equal(messages.json.type, 'message');
  // Sent as the client's bytes (only model rewritten): the key reaches the upstream as it came.
  assert.match(mock.requests.at(-1)!.raw, /"__proto__":\{"stream":true,"max_tokens":1\}/);

  // Responses pass-through, the same.
  const responses = await post('/responses', '{"model":"oai/gpt-5","input":"hi","__proto__":{"stream":true,"store":false}}');
  assert.equal(responses.status, 200, responses.text);
  assert.match(responses.type ?? '', /application\/json/);
  assert.equal(responses.json.object, 'response');
});

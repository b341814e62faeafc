// Request checks against crafted names (the hand checks in front of zod and the schemas behind them):
// a name that is also a member of every JS object (constructor, toString, __proto__…) is only a
// name. A Responses input item whose `type` was such a name made the item check look up
// Object.prototype's member as its schema and throw a TypeError: a 500 instead of the 400 (or the
// pass-through an unknown item type gets). And `__proto__` keys never become what the gateway reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawBodyGateway } from './raw-body-gateway.js';

const gateway = rawBodyGateway('rck', 'vk-request-check-keys-01', { chat: true });
const { post } = gateway;

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
  const native = gateway.mock.requests.filter((r) => r.path.endsWith('/responses'));
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
  assert.match(gateway.mock.requests.at(-1)!.raw, /"__proto__":\{"stream":true,"max_tokens":1\}/);

  // Responses pass-through, the same.
  const responses = await post('/responses', '{"model":"oai/gpt-5","input":"hi","__proto__":{"stream":true,"store":false}}');
  assert.equal(responses.status, 200, responses.text);
  assert.match(responses.type ?? '', /application\/json/);
  assert.equal(responses.json.object, 'response');
});

// Refused requests are not anonymous (issue 15, item 8): a 429, 402 or 403 row names the key, team,
// customer and model it was refused for, so "which key keeps hitting its limit" is one query.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const LIMITED = 'vk-refusal-limited-1';
const BROKE = 'vk-refusal-broke-001';
const NARROW = 'vk-refusal-narrow-01';
const OFF = 'vk-refusal-disabled1';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: {
      customers: [{ id: 'acme' }],
      teams: [{ id: 'eng', customer: 'acme' }],
      virtualKeys: [
        { id: 'limited', key: LIMITED, team: 'eng', models: ['*'], rateLimit: { requests: 1, window: '1h' } },
        { id: 'broke', key: BROKE, team: 'eng', models: ['*'], budget: { usd: 0, period: 'month' } },
        { id: 'narrow', key: NARROW, team: 'eng', models: ['anthropic/*'] },
        { id: 'off', key: OFF, team: 'eng', models: ['*'], disabled: true },
      ],
    },
  }));
});
after(() => stop?.());

async function chat(key: string, model: string): Promise<{ status: number; id: string }> {
  const r = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
  });
  await r.text();
  return { status: r.status, id: r.headers.get('x-request-id')! };
}

async function row(id: string) {
  const [r] = await gw.query<Record<string, unknown>>(
    'SELECT key_id, team_id, customer_id, model, status, error_type FROM requests WHERE id = ?',
    id,
  );
  return r;
}

describe('refusal rows', () => {
  test('429 at admission (request rate limit): key, team, customer and model recorded', async () => {
    mock.fallback = () => ({ kind: 'text', text: 'ok' });
    assert.equal((await chat(LIMITED, 'openai/gpt-4o-mini')).status, 200);
    const refused = await chat(LIMITED, 'openai/gpt-4o-mini');
    assert.equal(refused.status, 429);
    assert.deepEqual(await row(refused.id), {
      key_id: 'limited',
      team_id: 'eng',
      customer_id: 'acme',
      model: 'openai/gpt-4o-mini',
      status: 429,
      error_type: 'rate_limited',
    });
  });

  // The row's model is read from the body's start, not by parsing the body (JSON.parse of up to
  // maxBodyBytes per refused request was CPU a key over its rate could spend for free): a body that
  // is malformed after its model still gets the 429 and its row names the model. Before, the row's
  // model came from JSON.parse of the whole body, which failed, so the row had none.
  test('429 at admission: the model is read without parsing the body (malformed after its model)', async () => {
    const r = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LIMITED}`, 'content-type': 'application/json' },
      body: `{"model":"openai/gpt-4o-mini","messages":[${'{"role":"user","content":"x"},'.repeat(30_000)}`,
    });
    await r.text();
    assert.equal(r.status, 429);
    assert.deepEqual(await row(r.headers.get('x-request-id')!), {
      key_id: 'limited',
      team_id: 'eng',
      customer_id: 'acme',
      model: 'openai/gpt-4o-mini',
      status: 429,
      error_type: 'rate_limited',
    });
  });

  test('402 budget exceeded, 403 model blocked, 403 disabled key: each names who and what', async () => {
    const broke = await chat(BROKE, 'openai/gpt-4o-mini');
    assert.equal(broke.status, 402);
    assert.deepEqual(await row(broke.id), {
      key_id: 'broke',
      team_id: 'eng',
      customer_id: 'acme',
      model: 'openai/gpt-4o-mini',
      status: 402,
      error_type: 'key_budget_exceeded',
    });
    const blocked = await chat(NARROW, 'openai/gpt-4o-mini');
    assert.equal(blocked.status, 403);
    assert.deepEqual(await row(blocked.id), {
      key_id: 'narrow',
      team_id: 'eng',
      customer_id: 'acme',
      model: 'openai/gpt-4o-mini',
      status: 403,
      error_type: 'provider_blocked',
    });
    const off = await chat(OFF, 'anthropic/claude-sonnet-4-5');
    assert.equal(off.status, 403);
    assert.deepEqual(await row(off.id), {
      key_id: 'off',
      team_id: 'eng',
      customer_id: 'acme',
      model: 'anthropic/claude-sonnet-4-5',
      status: 403,
      error_type: 'virtual_key_blocked',
    });
  });

  test('a model name with NUL: 400 invalid_model_name, never forwarded; its row has the name without the NUL', async () => {
    const before = mock.requests.length;
    const r = await chat(NARROW, 'anthropic/claude\u0000-x');
    assert.equal(r.status, 400);
    assert.equal(mock.requests.length, before, 'nothing reached the upstream');
    assert.deepEqual(await row(r.id), {
      key_id: 'narrow',
      team_id: 'eng',
      customer_id: 'acme',
      model: 'anthropic/claude-x',
      status: 400,
      error_type: 'invalid_model_name',
    });
  });
});

// `fallbacks` on /v1/messages (issue 17, as on chat): models tried in order after `model`, with the
// same retry rules, across both kinds of provider (an Anthropic one passed through, an OpenAI-
// compatible one translated); the field itself never goes upstream; the ledger shows every attempt.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startMockUpstream, type MockUpstream } from './mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from './helpers/gateway.js';

const VK = 'vk-messages-fallbacks-01';
const CLAUDE = 'anthropic/claude-sonnet-4-5';
const BACKUP = 'backup/claude-haiku-4-5';
const GPT = 'openai/gpt-4o-mini';
const overloaded = JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
const down = { kind: 'error', status: 529, body: overloaded } as const;
let mock: MockUpstream;
let gw: TestGateway;
let client: Anthropic;

before(async () => {
  mock = await startMockUpstream();
  const providers = mockProviders(mock);
  gw = await startGateway({
    config: {
      providers: { ...providers, backup: { ...providers.anthropic, models: ['claude-haiku-4-5'] } },
      virtualKeys: [{ id: 'fb', key: VK, models: [CLAUDE, BACKUP, GPT] }],
    },
  });
  client = new Anthropic({ apiKey: VK, baseURL: gw.url, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const ask = (extra: Record<string, unknown>) =>
  ({
    model: CLAUDE,
    max_tokens: 20,
    messages: [{ role: 'user', content: 'hello' }],
    ...extra,
  }) as Anthropic.MessageCreateParamsNonStreaming;

async function attempts(id: string) {
  const rows = await gw.query<any>('SELECT provider, model, status FROM llm_calls WHERE request_id = ? ORDER BY id', id);
  return rows.map((r) => `${r.provider}/${r.model} ${r.status}`);
}

describe('fallbacks on /v1/messages', () => {
  test('an Anthropic model down after its retries falls back to an OpenAI-compatible one (translated), streaming and not', async () => {
    for (const stream of [false, true]) {
      mock.reset();
      mock.enqueue(down, down, down, { kind: 'text', text: 'from gpt', usage: { input: 9, output: 3 } });
      const req = ask({ fallbacks: [GPT] });
      const { data: msg, response } = stream
        ? { data: await client.messages.stream(req).finalMessage(), response: undefined }
        : await client.messages.create(req).withResponse();
      assert.equal((msg.content[0] as Anthropic.TextBlock).text, 'from gpt');
      assert.equal(msg.usage.input_tokens, 9);
      assert.deepEqual(
        mock.requests.map((r) => r.path),
        ['/v1/messages', '/v1/messages', '/v1/messages', '/v1/chat/completions'],
      );
      assert.ok(
        mock.requests.every((r) => !('fallbacks' in r.body)),
        'the extension field never goes upstream',
      );
      if (response) {
        const id = response.headers.get('x-request-id')!;
        assert.deepEqual(await attempts(id), [
          'anthropic/claude-sonnet-4-5 529',
          'anthropic/claude-sonnet-4-5 529',
          'anthropic/claude-sonnet-4-5 529',
          'openai/gpt-4o-mini 200',
        ]);
        const [row] = await gw.query<any>('SELECT status, provider, surface FROM requests WHERE id = ?', id);
        assert.deepEqual({ ...row }, { status: 200, provider: 'openai', surface: 'messages' });
      }
    }
  });

  test('pass-through to pass-through: the fallback gets the request without the field', async () => {
    mock.enqueue(down, down, down);
    const { data: msg, response } = await client.messages.create(ask({ fallbacks: [BACKUP] })).withResponse();
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, 'echo: hello');
    const last = mock.requests.at(-1)!;
    assert.equal(last.body.model, 'claude-haiku-4-5');
    assert.equal('fallbacks' in last.body, false);
    assert.deepEqual((await attempts(response.headers.get('x-request-id')!)).at(-1), 'backup/claude-haiku-4-5 200');
  });

  test('translated to pass-through: an OpenAI-compatible model down falls back to an Anthropic one', async () => {
    mock.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    const msg = await client.messages.create(ask({ model: GPT, fallbacks: [CLAUDE] }));
    assert.equal((msg.content[0] as Anthropic.TextBlock).text, 'echo: hello');
    assert.equal(mock.requests.at(-1)!.path, '/v1/messages');
  });

  test("the client's own mistake (400) is not retried on a fallback; its wording comes back unmodified", async () => {
    const bad = JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } });
    mock.enqueue({ kind: 'error', status: 400, body: bad });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': VK },
      body: JSON.stringify(ask({ fallbacks: [GPT] })),
    });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), bad);
    assert.equal(mock.requests.length, 1);
  });

  test('fallbacks are checked up front: a model the key may not use is a 403 naming it, nothing sent', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': VK },
      body: JSON.stringify(ask({ fallbacks: [GPT, 'openai/gpt-4o'] })),
    });
    const err = (await res.json()) as any;
    assert.equal(res.status, 403, JSON.stringify(err));
    assert.equal(err.error.type, 'permission_error');
    assert.match(err.error.message, /gpt-4o/);
    assert.equal(mock.requests.length, 0);
  });
});

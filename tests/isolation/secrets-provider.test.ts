// Provider credentials set in a provider's `headers` (issue 15, item 9) never come back in error
// text: an upstream that quotes them in its error body has them cut out of the client's error and
// the ledger row, as the provider key already was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { mockProviders } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const VK = 'vk-provider-secret-1';
const HEADER_SECRET = 'hdr-secret-4f1c9a2b';
/** Credentials in providers' base URLs: a query value (sent upstream) and a userinfo password (not sent). */
const QUERY_SECRET = 'qry-secret-7d2e0b91';
const USER_SECRET = 'usr-secret-5a8c3f60';
let mock: MockUpstream;
let gw: TestGateway;
let stop: Stack['stop'] | undefined;

before(async () => {
  ({ mock, gw, stop } = await startStack({
    config: ({ mock }) => ({
      providers: {
        ...mockProviders(mock, { maxRetries: 0, headers: { 'x-org-token': HEADER_SECRET } }),
        native: {
          type: 'openai',
          baseUrl: mock.openaiBaseUrl,
          keys: [{ value: 'sk-native-secret' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
          headers: { 'x-org-token': HEADER_SECRET },
        },
        // Requests go to `/v1/chat/completions?api-key=…`; the test's upstream refuses them quoting that URL.
        urlquery: {
          type: 'openai',
          baseUrl: `${mock.openaiBaseUrl}?api-key=${QUERY_SECRET}`,
          keys: [{ value: 'sk-urlquery-secret' }],
          models: ['gpt-5'],
          apis: ['chat', 'responses'],
          maxRetries: 0,
        },
        urlcreds: {
          type: 'anthropic',
          baseUrl: mock.anthropicBaseUrl.replace('://', `://robot:${USER_SECRET}@`),
          keys: [{ value: 'sk-ant-urlcreds' }],
          maxRetries: 0,
        },
      },
      virtualKeys: [{ id: 'p', key: VK, models: ['*'] }],
    }),
  }));
});
after(() => stop?.());

/**
 * A stream that failed mid-way quoting the header credential and `key` ("bad <header> for <key>"):
 * its error (matching `error`) reaches the client with both cut out (and any of `also`), and so
 * does its ledger row.
 */
async function assertCutOut(r: Response, key: string, error: RegExp, also: readonly string[] = []): Promise<void> {
  const text = await r.text();
  assert.match(text, error, text);
  assert.ok(!text.includes(HEADER_SECRET) && !text.includes(key), text);
  for (const secret of also) assert.ok(!text.includes(secret), text);
  assert.match(text, /bad \[redacted\] for \[redacted\]/);
  const [row] = await gw.query<{ error_message: string | null }>(
    'SELECT error_message FROM requests WHERE id = ?',
    r.headers.get('x-request-id'),
  );
  const stored = row?.error_message ?? '';
  assert.ok(stored.includes('[redacted]') && !stored.includes(HEADER_SECRET) && !stored.includes(key), stored);
  for (const secret of also) assert.ok(!stored.includes(secret), stored);
}

describe('provider header credentials', () => {
  test('quoted back by the upstream: not in the error the client gets, nor in the ledger', async () => {
    for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']) {
      mock.enqueue({ kind: 'error', status: 401, message: `invalid x-org-token ${HEADER_SECRET} for key sk-test-openai-secret` });
      const r = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      });
      const text = await r.text();
      assert.ok(r.status >= 400, text);
      assert.ok(!text.includes(HEADER_SECRET), text);
      assert.match(text, /\[redacted\]/);
      const [row] = await gw.query<{ error_message: string }>(
        'SELECT error_message FROM requests WHERE id = ?',
        r.headers.get('x-request-id'),
      );
      assert.ok(row && !row.error_message.includes(HEADER_SECRET), row?.error_message);
    }
  });

  test('/v1/messages pass-through: the upstream error body is relayed with the header credential cut out', async () => {
    mock.enqueue({ kind: 'error', status: 401, message: `invalid x-org-token ${HEADER_SECRET}` });
    const r = await fetch(`${gw.baseURL}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': VK, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await r.text();
    assert.equal(r.status, 401, text);
    assert.ok(!text.includes(HEADER_SECRET), text);
    assert.match(text, /invalid x-org-token \[redacted\]/, 'the rest of the wording is kept');
  });

  test('a chat stream that fails mid-way quoting a credential: the error frame and the row have it cut out', async () => {
    // Before, an upstream's in-stream error event was passed on with the provider key and header values in it.
    for (const [model, key] of [
      ['openai/gpt-4o-mini', 'sk-test-openai-secret'],
      ['anthropic/claude-sonnet-4-5', 'sk-ant-test-secret'],
    ] as const) {
      mock.enqueue({ kind: 'stream-error', text: 'partial', errorType: 'overloaded_error', message: `bad ${HEADER_SECRET} for ${key}` });
      const r = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      await assertCutOut(r, key, /"error"/);
    }
  });

  test('Messages and Responses pass-through streams that fail mid-way quoting a credential: cut out of the event and the row', async () => {
    for (const [path, key, body] of [
      [
        '/messages',
        'sk-ant-test-secret',
        { model: 'anthropic/claude-sonnet-4-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'x' }] },
      ],
      ['/responses', 'sk-native-secret', { model: 'native/gpt-5', stream: true, input: 'x' }],
    ] as const) {
      mock.enqueue({ kind: 'stream-error', text: 'partial', errorType: 'overloaded_error', message: `bad ${HEADER_SECRET} for ${key}` });
      const r = await fetch(`${gw.baseURL}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': VK, authorization: `Bearer ${VK}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(body),
      });
      await assertCutOut(r, key, /error/);
    }
  });

  test('/v1/messages/count_tokens: the upstream error is relayed with the header credential cut out, row too', async () => {
    // Before, count_tokens cut only the provider key out of the upstream's text.
    mock.enqueue({ kind: 'error', status: 401, message: `invalid x-org-token ${HEADER_SECRET}` });
    const r = await fetch(`${gw.baseURL}/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': VK, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await r.text();
    assert.equal(r.status, 401, text);
    assert.equal(mock.requests.at(-1)?.path, '/v1/messages/count_tokens', 'counted upstream');
    assert.ok(!text.includes(HEADER_SECRET), text);
    assert.match(text, /invalid x-org-token \[redacted\]/, 'the rest of the wording is kept');
    const [row] = await gw.query<{ error_message: string | null }>(
      'SELECT error_message FROM requests WHERE id = ?',
      r.headers.get('x-request-id'),
    );
    assert.ok(row && !(row.error_message ?? '').includes(HEADER_SECRET), row?.error_message ?? 'no row');
  });
});

describe("credentials in a provider's base URL", () => {
  const send = (path: string, body: unknown, stream = false) =>
    fetch(`${gw.baseURL}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': VK, authorization: `Bearer ${VK}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(stream ? Object.assign({ stream }, body) : body),
    });
  async function assertRowClean(r: Response, secret: string): Promise<void> {
    const [row] = await gw.query<{ error_message: string | null }>(
      'SELECT error_message FROM requests WHERE id = ?',
      r.headers.get('x-request-id'),
    );
    assert.ok(row?.error_message?.includes('[redacted]') && !row.error_message.includes(secret), row?.error_message ?? 'no row');
  }

  test('a query value, echoed back in an upstream error: cut out on chat, Responses pass-through and Messages (translated), row too', async () => {
    // Before, only URLs with a scheme were cut out of chat errors and nothing of pass-through ones.
    for (const [path, upstreamPath, body] of [
      ['/chat/completions', '/v1/chat/completions', { model: 'urlquery/gpt-5', messages: [{ role: 'user', content: 'x' }] }],
      ['/responses', '/v1/responses', { model: 'urlquery/gpt-5', input: 'x' }],
      ['/messages', '/v1/chat/completions', { model: 'urlquery/gpt-5', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }],
    ] as const) {
      mock.enqueue({ kind: 'error', status: 404, message: `no route ${upstreamPath}?api-key=${QUERY_SECRET}` });
      const r = await send(path, body);
      const text = await r.text();
      assert.ok(r.status >= 400, text);
      assert.ok(mock.requests.at(-1)?.path.includes(QUERY_SECRET), 'the upstream was sent the query');
      assert.ok(!text.includes(QUERY_SECRET), `${path}: ${text}`);
      assert.match(text, /no route .*api-key=\[redacted\]/, 'the rest of the wording is kept');
      await assertRowClean(r, QUERY_SECRET);
    }
  });

  test('a userinfo password quoted by the upstream: cut out of a Messages pass-through error, its stream error event and count_tokens, rows too', async () => {
    const model = 'urlcreds/claude-sonnet-4-5';
    const messages = [{ role: 'user', content: 'x' }];
    mock.enqueue({ kind: 'error', status: 401, message: `invalid password ${USER_SECRET}` });
    const refused = await send('/messages', { model, max_tokens: 16, messages });
    const text = await refused.text();
    assert.equal(refused.status, 401, text);
    assert.ok(!text.includes(USER_SECRET), text);
    assert.match(text, /invalid password \[redacted\]/);
    await assertRowClean(refused, USER_SECRET);

    mock.enqueue({
      kind: 'stream-error',
      text: 'partial',
      errorType: 'overloaded_error',
      message: `bad ${USER_SECRET} for sk-ant-urlcreds`,
    });
    await assertCutOut(await send('/messages', { model, max_tokens: 16, messages }, true), 'sk-ant-urlcreds', /error/, [USER_SECRET]);

    mock.enqueue({ kind: 'error', status: 401, message: `invalid password ${USER_SECRET}` });
    const counted = await send('/messages/count_tokens', { model, messages });
    const countText = await counted.text();
    assert.equal(counted.status, 401, countText);
    assert.ok(!countText.includes(USER_SECRET), countText);
    await assertRowClean(counted, USER_SECRET);
  });
});

// Upstream faults against the loopback mock (issue 9), seen from the ledger: for each fault the
// client gets a retry, a fallback or a clean error (tests/proxy.test.ts checks the HTTP side), and
// the ledger says what happened — one llm_calls row per attempt with its status and error type,
// and a requests row whose status is what the client got.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import type { MockReply } from '../mock-upstream/types.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';

const VK = 'vk-upstream-faults-01';
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: {
        ...mockProviders(mock),
        // No retries and a short timeout: each fault is exactly one attempt.
        once: { type: 'openai', baseUrl: mock.openaiBaseUrl, keys: [{ value: 'sk-once-secret' }], timeoutMs: 300, maxRetries: 0 },
      },
      virtualKeys: [{ id: 'faults', key: VK, models: ['*'] }],
    },
  });
});
after(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

interface Outcome {
  status: number;
  body: string;
  request: { status: number; error_type: string | null; rounds: number; provider: string | null };
  attempts: { provider: string; attempt: number; status: number; error_type: string | null }[];
}

async function run(model: string, replies: MockReply[], extra: Record<string, unknown> = {}): Promise<Outcome> {
  mock.enqueue(...replies);
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }], ...extra }),
  });
  const body = await res.text();
  const id = res.headers.get('x-request-id');
  assert.ok(id);
  const [request] = await gw.query<Outcome['request']>('SELECT status, error_type, rounds, provider FROM requests WHERE id = ?', id);
  assert.ok(request, 'one requests row per request');
  const attempts = await gw.query<Outcome['attempts'][number]>(
    'SELECT provider, attempt, status, error_type FROM llm_calls WHERE request_id = ? ORDER BY id',
    id,
  );
  return { status: res.status, body, request, attempts };
}

const rows = (o: Outcome) => o.attempts.map((a) => [a.provider, a.attempt, a.status]);
const errorType = (body: string) => (JSON.parse(body) as { error: { type: string } }).error.type;

describe('upstream faults in the ledger', () => {
  test('500 then success: retried; both attempts recorded, the request is a 200', async () => {
    const o = await run('openai/gpt-4o-mini', [{ kind: 'error', status: 500, message: 'boom' }]);
    assert.equal(o.status, 200);
    assert.deepEqual(rows(o), [
      ['openai', 1, 500],
      ['openai', 2, 200],
    ]);
    assert.notEqual(o.attempts[0]!.error_type, null);
    assert.equal(o.attempts[1]!.error_type, null);
    assert.deepEqual([o.request.status, o.request.error_type], [200, null]);
  });

  test('429 with Retry-After: retried after the wait; the 429 attempt is recorded', async () => {
    const o = await run('anthropic/claude-sonnet-4-5', [
      { kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after': '0' } },
    ]);
    assert.equal(o.status, 200);
    assert.deepEqual(rows(o), [
      ['anthropic', 1, 429],
      ['anthropic', 2, 200],
    ]);
    assert.equal(o.request.status, 200);
  });

  test('429 on every attempt: a clean error with the rate limit passed on, every attempt recorded', async () => {
    mock.fallback = () => ({ kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after': '0' } });
    const o = await run('openai/gpt-4o-mini', []);
    assert.ok([429, 502, 503].includes(o.status), `status ${o.status}`);
    assert.deepEqual(rows(o), [
      ['openai', 1, 429],
      ['openai', 2, 429],
      ['openai', 3, 429],
    ]);
    assert.equal(o.request.status, o.status, 'the ledger has the status the client got');
    assert.notEqual(o.request.error_type, null);
  });

  test('timeout: 504 upstream_timeout; the attempt is recorded as a timeout', async () => {
    const o = await run('once/m', [{ kind: 'hang' }]);
    assert.equal(o.status, 504);
    assert.equal(errorType(o.body), 'upstream_timeout');
    assert.equal(o.attempts.length, 1);
    assert.match(o.attempts[0]!.error_type ?? '', /timeout/);
    assert.equal(o.request.status, 504);
    assert.match(o.request.error_type ?? '', /timeout/);
  });

  test('timeout, then a fallback answers: both providers in the ledger', async () => {
    mock.fallback = (body) => (body.model === 'm' ? { kind: 'hang' } : { kind: 'text', text: 'from fallback' });
    const o = await run('once/m', [], { fallbacks: ['anthropic/claude-sonnet-4-5'] });
    assert.equal(o.status, 200);
    assert.deepEqual(
      rows(o).map(([p]) => p),
      ['once', 'anthropic'],
    );
    assert.match(o.attempts[0]!.error_type ?? '', /timeout/);
    assert.equal(o.request.provider, 'anthropic');
  });

  test('connection reset before headers: retried; the reset attempt is recorded with an error type', async () => {
    const o = await run('openai/gpt-4o-mini', [{ kind: 'reset' }]);
    assert.equal(o.status, 200);
    assert.equal(o.attempts.length, 2);
    assert.notEqual(o.attempts[0]!.error_type, null);
    assert.notEqual(o.attempts[0]!.status, 200);
    assert.equal(o.attempts[1]!.status, 200);
  });

  test('connection reset mid-stream: the stream ends with an error frame; the ledger records the failure', async () => {
    const o = await run('openai/gpt-4o-mini', [{ kind: 'reset-mid-stream', text: 'partial answer that will be cut' }], { stream: true });
    assert.equal(o.status, 200, 'headers were already sent');
    assert.match(o.body, /"error"/);
    assert.equal(o.attempts.length, 1, 'a started stream is not retried');
    assert.notEqual(o.attempts[0]!.error_type, null);
    assert.ok(o.request.status >= 500, `request row status ${o.request.status}`);
    assert.notEqual(o.request.error_type, null);
  });

  for (const [name, body] of [
    ['invalid JSON', '{not json'],
    ['an empty body', ''],
  ] as const) {
    test(`${name} from the upstream: 502, recorded as a failed attempt`, async () => {
      const o = await run('once/m', [{ kind: 'raw', status: 200, body }]);
      assert.equal(o.status, 502);
      assert.equal(errorType(o.body), 'upstream_error');
      assert.equal(o.attempts.length, 1);
      assert.notEqual(o.attempts[0]!.error_type, null);
      assert.deepEqual([o.request.status, o.request.rounds], [502, 1]);
      assert.notEqual(o.request.error_type, null);
    });
  }

  test('a 5xx with an HTML body (a proxy in between) is a clean upstream_error, retried', async () => {
    mock.fallback = () => ({ kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    const o = await run('openai/gpt-4o-mini', []);
    assert.equal(o.status, 502);
    assert.equal(errorType(o.body), 'upstream_error');
    assert.deepEqual(rows(o), [
      ['openai', 1, 502],
      ['openai', 2, 502],
      ['openai', 3, 502],
    ]);
  });
});

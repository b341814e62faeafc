// While the gateway drains (SIGTERM; here the in-process hook main.ts calls first), a request is
// answered 503 before its key or body is read. One that would leave a requests row leaves one,
// under its x-request-id, naming its key (not admitted: nothing was done for it), as every answered
// request is in the ledger. Before, these 503s left no row. The real SIGTERM drain's row is proved
// in tests/ledger.test.ts (HTTP) and tests/responses-websocket-shutdown.test.ts (WebSocket).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { openResponsesSocket, type ResponsesSocket } from '../helpers/responses-socket.js';
import { waitFor } from '../helpers/wait-for.js';
import { requestsByStatusIn } from '../helpers/http-metrics.js';

const VK = 'vk-drain-rows-0001';
const OFF = 'vk-drain-rows-disabled';

type Row = Record<string, unknown>;
const COLUMNS = 'key_id, team_id, customer_id, model, status, error_type, surface, operation, session_id';

describe('503 while draining', () => {
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  let socket: ResponsesSocket;
  before(async () => {
    ({ gw, stop } = await startStack({
      config: {
        customers: [{ id: 'acme' }],
        teams: [{ id: 'eng', customer: 'acme' }],
        virtualKeys: [
          { id: 'drained', key: VK, team: 'eng', models: ['*'], rateLimit: { requests: 1, window: '1m' } },
          { id: 'off', key: OFF, models: ['*'], disabled: true },
        ],
      },
    }));
    // Opened before the drain (an upgrade while draining is refused: no response was asked for).
    socket = await openResponsesSocket(gw.url, VK);
    gw.gateway.drain();
  });
  after(async () => {
    socket?.ws.terminate();
    await stop?.();
  });

  const send = async (method: string, path: string, key: string | undefined, body?: object, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-claude-code-session-id': 'drain-session', ...extra };
    if (key) Object.assign(headers, { authorization: `Bearer ${key}`, 'x-api-key': key });
    const res = await fetch(`${gw.url}${path}`, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, 503, `${method} ${path}: ${text}`);
    // Anthropic's shape on /v1/messages*, its name for a 503.
    assert.equal(JSON.parse(text).error.type, path.startsWith('/v1/messages') ? 'overloaded_error' : 'service_unavailable');
    const id = res.headers.get('x-request-id');
    assert.ok(id, 'the 503 carries an x-request-id');
    return id;
  };
  const rowOf = (id: string) =>
    waitFor(async () => (await gw.query<Row>(`SELECT ${COLUMNS} FROM requests WHERE id = ?`, id))[0], 5_000, `the row of ${id}`);
  const drained = (surface: string, operation: string, who: 'drained' | 'off' | 'nobody' = 'drained'): Row => ({
    key_id: who === 'nobody' ? null : who,
    team_id: who === 'drained' ? 'eng' : null,
    customer_id: who === 'drained' ? 'acme' : null,
    model: null, // the body is never read
    status: 503,
    error_type: 'service_unavailable',
    surface,
    operation,
    session_id: 'drain-session',
  });

  test('each recorded route leaves its 503 row under the id it carried, naming the key', async () => {
    const model = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
    const cases: [string, string, string, string][] = [
      ['POST', '/v1/chat/completions', 'chat', 'call'],
      ['POST', '/v1/messages', 'messages', 'call'],
      ['POST', '/v1/messages/count_tokens', 'messages', 'count_tokens'],
      ['POST', '/v1/responses', 'responses', 'call'],
      ['GET', '/v1/responses/resp_abc', 'responses', 'retrieve'],
      ['GET', '/v1/responses/resp_abc/input_items', 'responses', 'input_items'],
      ['DELETE', '/v1/responses/resp_abc', 'responses', 'delete'],
    ];
    // Three POSTs to chat from a key allowed one request a minute: a drain's 503 is not admitted
    // (not counted, not refused 429), so each is a 503 row.
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await rowOf(await send('POST', '/v1/chat/completions', VK, model)), drained('chat', 'call'));
    for (const [method, path, surface, operation] of cases)
      assert.deepEqual(await rowOf(await send(method, path, VK, method === 'POST' ? model : undefined)), drained(surface, operation));
  });

  test('a keyed /mcp POST leaves its 503 row (surface mcp, no session); an unkeyed or unknown one none', async () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fix__echo', arguments: {} } };
    const mcp = (who: 'drained' | 'off'): Row => ({ ...drained('mcp', 'call', who), session_id: null, source: 'mcp' });
    const withSource = async (id: string) => {
      await rowOf(id);
      return (await gw.query<Row>(`SELECT ${COLUMNS}, source FROM requests WHERE id = ?`, id))[0];
    };
    // Not an LLM request: tollgate_requests_total (LLM requests by their surface's route) does not count it.
    const llm503 = async () =>
      (await gw.gateway.metrics.render())
        .split('\n')
        .filter((l) => l.startsWith('tollgate_requests_total{') && l.includes('status="503"'))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const llmBefore = await llm503();
    // On an open 2025 session (the Node listener's route) and without one (Hono's).
    const session = { 'mcp-session-id': 'a-session-that-was-open', accept: 'application/json, text/event-stream' };
    assert.deepEqual(await withSource(await send('POST', '/mcp', VK, call, session)), mcp('drained'));
    assert.deepEqual(await withSource(await send('POST', '/mcp', VK, call, { accept: session.accept })), mcp('drained'));
    assert.deepEqual(await withSource(await send('POST', '/mcp', OFF, call, session)), mcp('off'));
    const none = [
      await send('POST', '/mcp', undefined, call, session),
      await send('POST', '/mcp', undefined, call),
      await send('POST', '/mcp', 'vk-nobody-knows-this', call, session),
      await send('GET', '/mcp', VK, undefined, session),
    ];
    await gw.quiet();
    for (const id of none) assert.deepEqual(await gw.query('SELECT id FROM requests WHERE id = ?', id), []);
    assert.equal(await llm503(), llmBefore);
  });

  test('each 503 is counted in the HTTP metrics under its route, answered by the Node listener or by Hono', async () => {
    const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
    const session = { 'mcp-session-id': 'a-session-that-was-open' };
    // [method, path, the route label, extra headers]; /metrics itself answers 503 while draining.
    const cases: [string, string, string, Record<string, string>?][] = [
      ['POST', '/v1/chat/completions', '/v1/chat/completions'],
      ['POST', '/v1/messages', '/v1/messages'],
      ['POST', '/v1/responses', '/v1/responses'],
      ['POST', '/mcp', '/mcp', session],
      ['POST', '/mcp', '/mcp'],
      ['POST', '/v1/messages/count_tokens', '/v1/messages/count_tokens'],
      ['GET', '/v1/responses/resp_abc', '/v1/responses/:id'],
      ['GET', '/v1/models', '/v1/models'],
    ];
    for (const [method, path, label, extra] of cases) {
      const count = async () => requestsByStatusIn(await gw.gateway.metrics.render(), label)['503'] ?? 0;
      const before = await count();
      await send(method, path, VK, method === 'POST' ? body : undefined, extra);
      assert.equal(await count(), before + 1, `${method} ${path}${extra ? ' (session)' : ''} counted 503 under ${label}`);
    }
  });

  test('a disabled key is named; an unknown or missing key has its row with a NULL key, as its 401 would', async () => {
    const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
    assert.deepEqual(await rowOf(await send('POST', '/v1/chat/completions', OFF, body)), drained('chat', 'call', 'off'));
    assert.deepEqual(await rowOf(await send('POST', '/v1/messages', 'vk-nobody-knows-this', body)), drained('messages', 'call', 'nobody'));
    assert.deepEqual(await rowOf(await send('POST', '/v1/responses', undefined, body)), drained('responses', 'call', 'nobody'));
  });

  test('requests that leave no row leave none while draining either', async () => {
    const ids = [
      await send('GET', '/v1/models', VK),
      await send('POST', '/v1/embeddings', VK, { input: 'x' }),
      await send('GET', '/v1/chat/completions', VK),
    ];
    await gw.quiet();
    for (const id of ids) assert.deepEqual(await gw.query('SELECT id FROM requests WHERE id = ?', id), []);
  });

  test('a response.create on a connection opened before the drain: its 503 event and its row', async () => {
    const before = (
      await gw.query<{ n: number }>("SELECT count(*) AS n FROM requests WHERE surface = 'responses' AND key_id = 'drained'")
    )[0]!.n;
    socket.create({ model: 'openai/gpt-4o-mini', input: 'too late' });
    const [event] = await socket.read();
    assert.equal(event?.type, 'error');
    assert.equal(event?.status, 503);
    const rows = await waitFor(async () => {
      const found = await gw.query<Row>(
        `SELECT ${COLUMNS} FROM requests WHERE surface = 'responses' AND operation = 'call' AND key_id = 'drained' AND session_id IS NULL`,
      );
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(rows, [{ ...drained('responses', 'call'), session_id: null }]);
    const after = (
      await gw.query<{ n: number }>("SELECT count(*) AS n FROM requests WHERE surface = 'responses' AND key_id = 'drained'")
    )[0]!.n;
    assert.equal(after, before + 1);
  });
});

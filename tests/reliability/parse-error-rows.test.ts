// A /v1 request whose body Node's HTTP parser cannot read (a malformed chunk of a chunked body) is
// answered by the HTTP server itself (gateway/http-server.ts: Node's canned 400, no body) once the
// route has started reading it. It leaves a requests row like every other refusal before the
// handler (a 413's, a 408's: timeout-rows.test.ts), and the metrics count the 400. Before, it left
// no row and was counted 499 (as if the client had left): a key holder was answered without a trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { requestsByStatus } from '../helpers/http-metrics.js';
import { rawExchange, rawHeader } from '../helpers/raw-socket.js';

const VK = 'vk-parse-error-rows-0001';
const ROUTES: { path: string; surface: string; operation: string; label?: string }[] = [
  { path: '/v1/chat/completions', surface: 'chat', operation: 'call' },
  { path: '/v1/messages', surface: 'messages', operation: 'call' },
  // Hono's body limit reads a chunked body in its middleware, before a route matched: the metrics
  // call its failures 'unmatched' (the hot routes read it themselves).
  { path: '/v1/messages/count_tokens', surface: 'messages', operation: 'count_tokens', label: 'unmatched' },
  { path: '/v1/responses', surface: 'responses', operation: 'call' },
];

/**
 * A chunked body whose second chunk is malformed (its size not hex; `second` to send another), sent
 * after the first has been read: the answer, as text.
 */
function badChunk(url: string, path: string, key: string, second = 'zz\r\nel"\r\n'): Promise<string> {
  const head =
    `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\nx-api-key: ${key}\r\n` +
    'content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"mod\r\n';
  return rawExchange(url, head, second);
}

describe('a /v1 request body Node cannot parse', () => {
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ gw, stop } = await startStack({
      config: {
        customers: [{ id: 'acme' }],
        teams: [{ id: 'eng', customer: 'acme' }],
        virtualKeys: [{ id: 'bad-sender', key: VK, team: 'eng', models: ['*'] }],
      },
    }));
  });
  after(() => stop?.());

  for (const route of ROUTES)
    test(`POST ${route.path}: a known and an unknown key each get a 400 row; the metrics say 400`, async () => {
      for (const key of [VK, 'vk-nobody-knows-this-1']) {
        const answer = await badChunk(gw.url, route.path, key);
        assert.match(answer, /^HTTP\/1\.1 400 /);
        // The answer carries the id its row is written under (before, Node's canned 400 carried none).
        const id = rawHeader(answer, 'x-request-id');
        assert.ok(id, `the 400 carries an x-request-id: ${answer}`);
        const known = key === VK;
        const rows = await waitFor(
          async () => {
            const found = await gw.query<Record<string, unknown>>(
              `SELECT key_id, team_id, customer_id, model, status, error_type, surface, operation
                 FROM requests WHERE id = ?`,
              id,
            );
            return found.length > 0 ? found : undefined;
          },
          10_000,
          `the 400 row of ${route.path}`,
        );
        assert.deepEqual(rows, [
          {
            key_id: known ? 'bad-sender' : null,
            team_id: known ? 'eng' : null,
            customer_id: known ? 'acme' : null,
            model: null,
            status: 400,
            error_type: 'http_parse_error',
            surface: route.surface,
            operation: route.operation,
          },
        ]);
      }
      assert.deepEqual(
        await waitFor(
          async () => {
            const seen = await requestsByStatus(gw.url, route.label ?? route.path);
            return seen['400'] === 2 ? seen : undefined;
          },
          5_000,
          `2 × 400 for ${route.path} in the metrics`,
        ),
        { '400': 2 },
      );
    });

  test("chunk extensions past Node's limit: its 413 is the row (request_too_large, http_parse_error)", async () => {
    const answer = await badChunk(gw.url, '/v1/chat/completions', VK, `4;x=${'y'.repeat(20_000)}\r\nel"}\r\n`);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    const id = rawHeader(answer, 'x-request-id');
    assert.ok(id, `the 413 carries an x-request-id: ${answer}`);
    const rows = await waitFor(async () => {
      const found = await gw.query<Record<string, unknown>>('SELECT key_id, status, error_type, surface FROM requests WHERE id = ?', id);
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(rows, [{ key_id: 'bad-sender', status: 413, error_type: 'http_parse_error', surface: 'chat' }]);
  });

  // Refused before any route saw it (headers past Node's limit: its 431), so no row; the answer
  // still carries an x-request-id, as every answer does (before: Node's canned bytes, no id).
  test('headers Node refuses (431) leave no row but the answer carries an x-request-id', async () => {
    const answer = await rawExchange(gw.url, `GET /v1/models HTTP/1.1\r\nhost: x\r\nx-big: ${'y'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    const id = rawHeader(answer, 'x-request-id');
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await gw.query('SELECT id FROM requests WHERE id = ?', id), []);
  });

  // A URL Node takes but @hono/node-server cannot build a Request from (a backslash in its path):
  // its 400 carries an x-request-id and the OpenAI shape (before: a bare 400 without either).
  test('a URL the request adapter refuses gets a 400 with an x-request-id, in the OpenAI shape', async () => {
    const answer = await rawExchange(gw.url, 'GET /v1\\models HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(rawHeader(answer, 'x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /Backslash/);
  });
});

// A request on a /v1 route cut by server.requestTimeoutMs while its body trickles in is answered
// 408 request_timeout by the HTTP server itself (gateway/http-server.ts); it leaves a requests row
// like every other refusal before the handler (the 413's: too-large-rows.test.ts), and the HTTP
// metrics count it 408. Before, it left no row and was counted 499 (as if the client had left), so
// a key holder could have requests answered that the ledger never saw. The 408 carries the
// x-request-id its row is written under.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';
import { requestsByStatus } from '../helpers/http-metrics.js';
import { rawExchange, rawHeader } from '../helpers/raw-socket.js';

const VK = 'vk-timeout-rows-0001';
const ROUTES = [
  { path: '/v1/chat/completions', surface: 'chat', operation: 'call' },
  { path: '/v1/messages', surface: 'messages', operation: 'call' },
  { path: '/v1/messages/count_tokens', surface: 'messages', operation: 'count_tokens' },
  { path: '/v1/responses', surface: 'responses', operation: 'call' },
];

/** Sends the head (Content-Length 1000) and a few bytes of body, then waits: the gateway's answer, as text. */
function trickle(url: string, path: string, key: string): Promise<string> {
  const head =
    `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\nx-api-key: ${key}\r\n` +
    'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":"';
  return rawExchange(url, head);
}

describe('a /v1 request cut by server.requestTimeoutMs', () => {
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ gw, stop } = await startStack({
      config: {
        server: { requestTimeoutMs: 300, headersTimeoutMs: 300 },
        customers: [{ id: 'acme' }],
        teams: [{ id: 'eng', customer: 'acme' }],
        virtualKeys: [{ id: 'slow-sender', key: VK, team: 'eng', models: ['*'] }],
      },
    }));
  });
  after(() => stop?.());

  for (const route of ROUTES)
    test(`POST ${route.path}: a known and an unknown key each get a 408 row; the metrics say 408`, async () => {
      for (const key of [VK, 'vk-nobody-knows-this-1']) {
        const answer = await trickle(gw.url, route.path, key);
        assert.match(answer, /^HTTP\/1\.1 408 /);
        assert.match(answer, /"code":"request_timeout"/);
        // The answer carries the id its row is written under (before, Node's socket write carried none).
        const id = rawHeader(answer, 'x-request-id');
        assert.ok(id, `the 408 carries an x-request-id: ${answer}`);
        const known = key === VK;
        const rows = await waitFor(
          async () => {
            const found = await gw.query<Record<string, unknown>>(
              `SELECT key_id, team_id, customer_id, model, status, error_type, surface, operation, latency_ms
               FROM requests WHERE id = ?`,
              id,
            );
            return found.length > 0 ? found : undefined;
          },
          10_000,
          `the 408 row of ${route.path}`,
        );
        const { latency_ms: latency, ...row } = rows[0]!;
        assert.deepEqual(rows.length, 1);
        assert.deepEqual(row, {
          key_id: known ? 'slow-sender' : null,
          team_id: known ? 'eng' : null,
          customer_id: known ? 'acme' : null,
          model: null,
          status: 408,
          error_type: 'request_timeout',
          surface: route.surface,
          operation: route.operation,
        });
        assert.ok(Number(latency) >= 250, `latency ${latency} ms is the time the request was given`);
      }
      assert.deepEqual(
        await waitFor(
          async () => {
            const seen = await requestsByStatus(gw.url, route.path);
            return seen['408'] === 2 ? seen : undefined;
          },
          5_000,
          `2 × 408 for ${route.path} in the metrics`,
        ),
        { '408': 2 },
      );
    });
});

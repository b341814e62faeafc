// A 413 on a /v1 route leaves a requests row, like every other refusal (README, Guarantees:
// "every answered request is in the ledger"). The body limit answers before any handler runs, so
// an over-limit body used to leave no trace: requests the ledger never saw.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server.js';
import { mockProviders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from './raw-http.js';

const VK = 'vk-too-large-rows-0001';
const MAX_BODY = 64 * 1024;
const ROUTES = [
  { path: '/v1/chat/completions', surface: 'chat', operation: 'call' },
  { path: '/v1/messages', surface: 'messages', operation: 'call' },
  { path: '/v1/messages/count_tokens', surface: 'messages', operation: 'count_tokens' },
  { path: '/v1/responses', surface: 'responses', operation: 'call' },
];
let mock: MockUpstream;
let gw: TestGateway;

before(async () => {
  mock = await startMockUpstream();
  gw = await startGateway({
    config: {
      providers: mockProviders(mock),
      customers: [{ id: 'acme' }],
      teams: [{ id: 'eng', customer: 'acme' }],
      virtualKeys: [{ id: 'big-sender', key: VK, team: 'eng', models: ['*'] }],
      maxBodyBytes: MAX_BODY,
      ledger: { payloads: true },
    },
  });
});
after(async () => {
  await gw.close();
  await mock.close();
});

describe('413 rows', () => {
  for (const route of ROUTES)
    for (const chunked of [false, true])
      test(`${route.path} ${chunked ? 'chunked' : 'with Content-Length'}: a known and an unknown key each get a 413 row`, async () => {
        for (const key of [VK, 'vk-nobody-knows-this-1']) {
          const res = await rawRequest(gw.url, {
            method: 'POST',
            target: route.path,
            headers: [
              ['authorization', `Bearer ${key}`],
              ['x-api-key', key],
              ['content-type', 'application/json'],
            ],
            body: Buffer.alloc(MAX_BODY + 1, 0x20),
            chunked,
          });
          assert.equal(res.status, 413);
          // Each surface's own error shape (Anthropic's on /v1/messages*), with the README's type.
          const body = JSON.parse(res.body);
          assert.equal(body.error.type, 'request_too_large');
          if (!route.path.startsWith('/v1/messages'))
            assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
          const id = res.headers['x-request-id'];
          assert.ok(id, 'x-request-id');
          const rows = await gw.query<Record<string, unknown>>(
            'SELECT key_id, team_id, customer_id, model, status, error_type, surface, operation FROM requests WHERE id = ?',
            id,
          );
          const known = key === VK;
          assert.deepEqual(rows, [
            {
              key_id: known ? 'big-sender' : null,
              team_id: known ? 'eng' : null,
              customer_id: known ? 'acme' : null,
              model: null,
              status: 413,
              error_type: 'body_too_large',
              surface: route.surface,
              operation: route.operation,
            },
          ]);
          const payloads = await gw.query('SELECT kind FROM payloads WHERE request_id = ?', id);
          assert.deepEqual(payloads, [], 'no body stored');
        }
      });
});

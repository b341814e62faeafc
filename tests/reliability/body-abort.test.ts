// A client that leaves while sending its body is the client's doing, not the gateway's: the request
// ends as 499 client_closed in the metrics and no error-level line is logged. Before, it was a 500
// "unhandled error" (ECONNRESET / aborted), so any client, with no key, could fill the error log and
// fire an operator's 5xx alert. One cut by server.requestTimeoutMs was answered 408 and is counted
// 408, with no error line either (its requests row: timeout-rows.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { MockUpstream } from '../mock-upstream/server.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { requestsByStatus } from '../helpers/http-metrics.js';

const VK = 'vk-body-abort-0001';

const HEAD = (path: string) =>
  `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${VK}\r\ncontent-type: application/json\r\n` +
  'accept: application/json, text/event-stream\r\ncontent-length: 1000\r\n\r\n{"model":"';

/** Sends the head (Content-Length 1000) and 10 bytes of body, then destroys the socket. */
function leaveMidBody(url: string, path: string): Promise<void> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => {
      s.write(HEAD(path), () =>
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50),
      );
    });
    s.on('error', reject);
  });
}

async function counted(url: string, route: string): Promise<Record<string, number>> {
  for (let i = 0; i < 100; i++) {
    const seen = await requestsByStatus(url, route);
    if (Object.keys(seen).length > 0) return seen;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {};
}

describe('a client that leaves mid-body', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ mock, gw, stop } = await startStack({ config: { virtualKeys: [{ id: 'k', key: VK, models: ['*'] }] } }));
  });
  after(() => stop?.());

  for (const [path, route] of [
    ['/v1/chat/completions', '/v1/chat/completions'],
    ['/v1/messages/count_tokens', '/v1/messages/count_tokens'],
  ] as const) {
    test(`POST ${path}: 499 in the metrics, no error log line, the next request is served`, async () => {
      const logged = gw.logs.length;
      await leaveMidBody(gw.url, path);
      const seen = await counted(gw.url, route);
      assert.deepEqual(seen, { '499': 1 });
      const errors = gw.logs.slice(logged).filter((l) => l.startsWith('error '));
      assert.deepEqual(errors, []);

      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200);
      assert.ok(mock.requests.length > 0);
    });
  }
});

describe('a body cut by server.requestTimeoutMs', () => {
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ gw, stop } = await startStack({
      config: { server: { requestTimeoutMs: 300, headersTimeoutMs: 300 }, virtualKeys: [{ id: 'k', key: VK, models: ['*'] }] },
    }));
  });
  after(() => stop?.());

  for (const path of ['/v1/chat/completions', '/v1/messages/count_tokens']) {
    test(`POST ${path}: the client gets its 408; 408 in the metrics, no error log line`, async () => {
      const logged = gw.logs.length;
      const { port } = new URL(gw.url);
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const s = connect(Number(port), '127.0.0.1', () => s.write(HEAD(path)));
        s.setEncoding('utf8');
        s.on('data', (d: string) => (text += d));
        s.on('error', reject);
        s.on('close', () => resolve(text));
      });
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.deepEqual(await counted(gw.url, path), { '408': 1 });
      assert.deepEqual(
        gw.logs.slice(logged).filter((l) => l.startsWith('error ')),
        [],
      );
    });
  }
});

// A client that sent its whole request and left while the gateway waited on the upstream: the
// ledger says 499 (client closed), and so do the metrics. Before, the hot routes rendered the 499
// as an HTTP answer nobody would read (a 400, to keep the status line valid) and counted that.
describe('a client that leaves while its JSON answer is on the way', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let stop: Stack['stop'] | undefined;
  before(async () => {
    ({ mock, gw, stop } = await startStack({ config: { virtualKeys: [{ id: 'k', key: VK, models: ['*'] }] } }));
  });
  after(() => stop?.());

  test('POST /v1/chat/completions: 499 in the metrics, as in the ledger', async () => {
    mock.enqueue({ kind: 'text', text: 'too late', delayMs: 1_500 });
    const gone = new AbortController();
    const sent = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      signal: gone.signal,
    });
    for (let i = 0; i < 200 && mock.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(mock.requests.length, 1, 'the request reached the upstream');
    gone.abort();
    await assert.rejects(sent);
    assert.deepEqual(await counted(gw.url, '/v1/chat/completions'), { '499': 1 });
    await gw.quiet();
    const rows = await gw.query<{ status: number }>('SELECT status FROM requests');
    assert.deepEqual(rows, [{ status: 499 }]);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { classifyCallError } from './call-outcome.js';
import { childEnvironment, connectServer, shouldFallBackToSse } from './connect.js';
import { StderrTail } from './stderr-tail.js';
import { everythingServer } from '../tests/helpers/wire.js';

describe('childEnvironment', () => {
  test('holds the configured env and safe basics, never the rest of process.env', () => {
    process.env.TOLLGATE_ADMIN_TOKEN_TEST = 'secret';
    try {
      const env = childEnvironment({ API_URL: 'http://x' });
      assert.equal(env.API_URL, 'http://x');
      assert.equal(env.TOLLGATE_ADMIN_TOKEN_TEST, undefined);
      if (process.env.PATH) assert.equal(env.PATH, process.env.PATH);
      for (const key of Object.keys(env)) {
        assert.ok(
          [
            'API_URL',
            'HOME',
            'LOGNAME',
            'PATH',
            'SHELL',
            'TERM',
            'USER',
            'LANG',
            'LC_ALL',
            'LC_CTYPE',
            'TMPDIR',
            'TEMP',
            'TMP',
            'TZ',
          ].includes(key),
          key,
        );
      }
    } finally {
      delete process.env.TOLLGATE_ADMIN_TOKEN_TEST;
    }
  });

  test('configured values win over inherited ones', () => {
    assert.equal(childEnvironment({ PATH: '/only/here' }).PATH, '/only/here');
  });
});

test('falls back to SSE on 4xx other than 401/403 from Streamable HTTP only', () => {
  const http = (status: number) => new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `HTTP ${status}`, { status });
  assert.equal(shouldFallBackToSse(http(404)), true);
  assert.equal(shouldFallBackToSse(http(405)), true);
  assert.equal(shouldFallBackToSse(http(401)), false);
  assert.equal(shouldFallBackToSse(http(500)), false);
  assert.equal(shouldFallBackToSse(new TypeError('fetch failed')), false);
});

test('an unreachable HTTP server is reported with its name and url', async () => {
  await assert.rejects(
    connectServer(
      'docs',
      { transport: 'http', url: 'http://127.0.0.1:9/mcp', headers: {}, callTimeoutMs: 1_000, pin: 'off' },
      { timeoutMs: 2_000 },
    ),
    /MCP server "docs" \(http: http:\/\/127\.0\.0\.1:9\/mcp\) is unreachable/,
  );
});

test('StderrTail keeps only the last characters, cut at a line start', () => {
  const tail = new StderrTail(20);
  tail.push('first line that is long\n');
  tail.push(Buffer.from('second\nthird\n'));
  assert.equal(tail.text(), 'second\nthird');
  for (let i = 0; i < 100; i++) tail.push(`line ${i}\n`);
  assert.ok(tail.text().length <= 20);
  assert.match(tail.text(), /line 99$/);
});

test('classifyCallError tells timeouts, cancellations, server errors and transport failures apart', () => {
  assert.equal(classifyCallError(new SdkError(SdkErrorCode.RequestTimeout, 'timed out'), false).status, 'timeout');
  assert.equal(classifyCallError(new SdkError(SdkErrorCode.ConnectionClosed, 'closed'), false).status, 'server_unavailable');
  assert.equal(classifyCallError(new ProtocolError(ProtocolErrorCode.InvalidParams, 'bad'), false).status, 'error');
  assert.equal(classifyCallError(new TypeError('fetch failed'), false).status, 'server_unavailable');
  assert.equal(classifyCallError(new Error('AbortError'), true).status, 'cancelled');
});

test("a stdio server's plain tool results reach their request without the SDK's message dispatch", async () => {
  const server = await connectServer('everything', { ...everythingServer(), env: {}, callTimeoutMs: 5_000, pin: 'off' } as never, {
    timeoutMs: 20_000,
  });
  try {
    const transport = server.client.transport as unknown as { onmessage: (m: unknown) => void };
    const dispatched: unknown[] = [];
    const sdk = transport.onmessage;
    transport.onmessage = (m) => {
      // Responses only: the server also sends notifications (list changes) of its own.
      if (typeof m === 'object' && m !== null && 'id' in m) dispatched.push(m);
      sdk(m);
    };
    const result = await server.client.callTool({ name: 'echo', arguments: { message: 'ping' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: ping' }]);
    assert.deepEqual(dispatched, []);
    // An error response (no such prompt) still goes the SDK's way.
    await assert.rejects(server.client.getPrompt({ name: 'no-such-prompt' }));
    assert.equal(dispatched.length, 1);
    assert.match(JSON.stringify(dispatched[0]), /"error":/);
  } finally {
    await server.close();
  }
});

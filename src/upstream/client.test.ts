import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { GatewayError } from '../errors.js';
import { createUpstreamClient, readText } from './client.js';

describe('upstream client', () => {
  test('sends to the URL as given: path and query, every call (the destination is parsed once per URL)', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dispatcher = new Agent();
    const client = createUpstreamClient(dispatcher);
    const signal = new AbortController().signal;
    try {
      for (const url of [
        `${base}/v1/chat/completions`,
        `${base}/v1/chat/completions?api-version=2024-10-21`,
        `${base}/v1/chat/completions`,
      ]) {
        const res = await client.send({ url, method: 'POST', headers: {}, body: '{}' }, { signal, timeoutMs: 5000 });
        assert.equal(res.status, 200);
        assert.equal(await readText(res, url, signal), 'ok');
      }
      assert.deepEqual(seen, [
        'POST /v1/chat/completions',
        'POST /v1/chat/completions?api-version=2024-10-21',
        'POST /v1/chat/completions',
      ]);
      // Not http(s): refused as undici refuses it, never sent.
      await assert.rejects(
        client.send({ url: 'ftp://127.0.0.1/x', method: 'POST', headers: {}, body: '{}' }, { signal, timeoutMs: 5000 }),
        (err) => err instanceof GatewayError && err.status === 502,
      );
      assert.equal(seen.length, 3);
    } finally {
      await client.close();
      server.close();
    }
  });
});

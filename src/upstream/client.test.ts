import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { GatewayError } from '../errors.js';
import { ClientAbortedError, createUpstreamClient, readText } from './client.js';
import { type Cancel, Disconnect } from './cancel.js';

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

  test('sendText: the whole answer as body.text() reads it; error statuses, headers, aborts', async () => {
    let hold: (() => void) | undefined;
    const server = createServer((req, res) => {
      if (req.url === '/bom') return void res.end(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
      if (req.url === '/chunks') {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.write('{"a":');
        return void setImmediate(() => res.end('"é"}'));
      }
      if (req.url === '/429') {
        res.writeHead(429, { 'retry-after': '3' });
        return void res.end('{"error":{"message":"slow down"}}');
      }
      if (req.url === '/500-cut') {
        res.writeHead(500, { 'content-length': '100' });
        res.write('{"err');
        return void setImmediate(() => res.destroy());
      }
      if (req.url === '/200-cut') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"ok');
        return void setImmediate(() => res.destroy());
      }
      hold = () => res.end('late');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createUpstreamClient(new Agent());
    const signal = new AbortController().signal;
    const get = (path: string, s = signal) =>
      client.sendText!({ url: `${base}${path}`, method: 'POST', headers: {}, body: '{}' }, { signal: s, timeoutMs: 5000 });
    try {
      assert.deepEqual(await get('/bom').then((a) => [a.status, a.text]), [200, '{}']);
      const chunks = await get('/chunks');
      assert.equal(chunks.text, '{"a":"é"}');
      assert.deepEqual(chunks.headers['set-cookie'], ['a=1', 'b=2']);
      const limited = await get('/429');
      assert.deepEqual([limited.status, limited.headers['retry-after'], limited.text], [429, '3', '{"error":{"message":"slow down"}}']);
      assert.deepEqual(await get('/500-cut').then((a) => [a.status, a.text]), [500, ''], 'an error body cut short reads as empty');
      await assert.rejects(get('/200-cut'), (err) => err instanceof GatewayError && err.status === 502);
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(get('/hold', aborted.signal), (err) => err instanceof ClientAbortedError);
      const later = new AbortController();
      const pending = get('/hold', later.signal);
      while (!hold) await new Promise((r) => setTimeout(r, 5));
      later.abort();
      await assert.rejects(pending, (err) => err instanceof ClientAbortedError);
      hold();
    } finally {
      await client.close();
      server.close();
    }
  });

  test('sendStream: the head, then every chunk in order (those before read too); errors, cancel, aborts', async () => {
    const closed: string[] = [];
    let hold: (() => void) | undefined;
    const server = createServer((req, res) => {
      res.on('close', () => closed.push(req.url!));
      if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: 1\n\n');
        setTimeout(() => {
          res.write('data: 2\n\n');
          res.end('data: [DONE]\n\n');
        }, 30);
        return;
      }
      if (req.url === '/503') {
        res.writeHead(503, { 'retry-after': '1' });
        return void res.end('{"error":"busy"}');
      }
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: 1\n\n');
        return void setTimeout(() => res.destroy(), 20);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      hold = () => res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createUpstreamClient(new Agent());
    const signal = new AbortController().signal;
    const open = (path: string, s: Cancel = signal) =>
      client.sendStream!({ url: `${base}${path}`, method: 'POST', headers: {}, body: '{}' }, { signal: s, timeoutMs: 5000 });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      const sse = await open('/sse');
      assert.equal(sse.status, 200);
      assert.equal(sse.headers['content-type'], 'text/event-stream');
      await sleep(10); // the first chunk arrives before anyone reads
      let text = '';
      await sse.read((chunk) => {
        text += chunk.toString();
      });
      assert.equal(text, 'data: 1\n\ndata: 2\n\ndata: [DONE]\n\n');

      const busy = await open('/503');
      assert.deepEqual([busy.status, busy.headers['retry-after'], await busy.text()], [503, '1', '{"error":"busy"}']);

      const cut = await open('/cut');
      await assert.rejects(cut.read(() => undefined));

      const thrower = await open('/hold');
      const boom = new Error('consumer failed');
      await assert.rejects(
        thrower.read(() => {
          throw boom;
        }),
        (err) => err === boom,
      );
      while (!closed.includes('/hold')) await sleep(5);

      closed.length = 0;
      const left = await open('/hold');
      left.cancel();
      while (!closed.includes('/hold')) await sleep(5);

      closed.length = 0;
      const gone = new Disconnect();
      const aborted = await open('/hold', gone);
      const reading = aborted.read(() => undefined);
      gone.abort();
      await assert.rejects(reading);
      while (!closed.includes('/hold')) await sleep(5);
      hold?.();
    } finally {
      await client.close();
      server.close();
    }
  });
});

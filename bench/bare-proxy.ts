// The floor: the least a Node pass-through can do — node:http in, undici out (same Agent settings as
// src/upstream/client.ts), body forwarded, answer piped back, nothing else. Issue 20 measures the
// gateway against this; the Hono floor (bench/proxy.ts) shows what the framework adds on top.
//   UPSTREAM=http://127.0.0.1:N node dist/bench/bare-proxy.js   → prints {"port":N} when listening
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM;
if (!upstream) throw new Error('UPSTREAM is required');
const dispatcher = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 256, pipelining: 1 });
const target = `${upstream}/v1/chat/completions`;

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      dispatcher,
    })
      .then((up) => {
        const type = up.headers['content-type'];
        res.writeHead(up.statusCode, { 'content-type': typeof type === 'string' ? type : 'application/json' });
        return pipeline(up.body, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream failed","type":"upstream_error"}}');
      });
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});

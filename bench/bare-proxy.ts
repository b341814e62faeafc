// The floor: the least a Node pass-through can do — node:http in, undici out (same Agent settings as
// src/upstream/client.ts), the body forwarded to the path as called, the answer piped back, nothing
// else. Issue 20 measures the gateway against this on every surface; the Hono floor (bench/proxy.ts)
// shows what the framework adds on top. The one thing that differs by path is the credentials a
// provider of that format wants, as the gateway's adapters send them: x-api-key with the client's
// anthropic-version on /v1/messages (providers/anthropic), a bearer token elsewhere (providers/openai).
//   UPSTREAM=http://127.0.0.1:N node dist/bench/bare-proxy.js   → prints {"port":N} when listening
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM;
if (!upstream) throw new Error('UPSTREAM is required');
const dispatcher = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 256, pipelining: 1 });
const BEARER = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '/';
    const version = req.headers['anthropic-version'];
    const headers: Record<string, string> = url.startsWith('/v1/messages')
      ? {
          'content-type': 'application/json',
          'anthropic-version': typeof version === 'string' ? version : '2023-06-01',
          'x-api-key': 'sk-ant-bench',
        }
      : BEARER;
    request(`${upstream}${url}`, {
      method: 'POST',
      headers,
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

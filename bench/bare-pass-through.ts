// The floor for the pass-through surfaces, as bare-proxy.ts is chat's: node:http in, undici out
// (the gateway's Agent settings), the body forwarded to the path as called, the answer piped back,
// nothing else. The only difference is the credentials a provider of that format wants, as the
// gateway's adapters send them: x-api-key with the client's anthropic-version on /v1/messages
// (providers/anthropic), a bearer token on /v1/responses (providers/openai).
//   UPSTREAM=http://127.0.0.1:N node dist/bench/bare-pass-through.js   → prints {"port":N} when listening
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM;
if (!upstream) throw new Error('UPSTREAM is required');
const dispatcher = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 256, pipelining: 1 });

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
      : { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
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

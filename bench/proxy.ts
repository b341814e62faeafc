// The floor: a minimal pass-through proxy on the gateway's own stack (Hono + @hono/node-server +
// undici, same Agent settings as src/upstream/client.ts) with no features at all. It forwards the
// body to the upstream and streams the answer back. Whatever the gateway costs above this is ours.
//   UPSTREAM=http://127.0.0.1:N node dist/bench/proxy.js   → prints {"port":N} when listening
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM;
if (!upstream) throw new Error('UPSTREAM is required');
const dispatcher = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 256, pipelining: 1 });

const app = new Hono();
app.post('/v1/chat/completions', async (c) => {
  const res = await request(`${upstream}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: await c.req.text(),
    dispatcher,
  });
  const type = res.headers['content-type'];
  return new Response(Readable.toWeb(res.body) as ReadableStream<Uint8Array>, {
    status: res.statusCode,
    headers: { 'content-type': typeof type === 'string' ? type : 'application/json' },
  });
});

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});

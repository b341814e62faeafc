// POST /v1/chat/completions: HTTP in and out; everything else lives in src/chat.
import type { Hono } from 'hono';
import { handleChat, type ChatDeps } from '../chat/handler.js';
import { SSE_HEADERS } from '../openai/sse.js';
import type { AppEnv } from '../app.js';

export function chatRoutes(app: Hono<AppEnv>, deps: ChatDeps): void {
  app.post('/v1/chat/completions', async (c) => {
    const out = await handleChat(deps, {
      requestId: c.get('requestId'),
      headers: c.req.raw.headers,
      bodyText: await c.req.text(),
      signal: c.req.raw.signal,
    });
    if (out.kind === 'json') return c.json(out.body as object);
    return new Response(out.body, { status: 200, headers: SSE_HEADERS });
  });
}

// POST /v1/chat/completions: HTTP in and out; everything else lives in src/chat.
import type { Hono } from 'hono';
import { handleChat, type ChatDeps } from '../chat/handler.js';
import { SSE_HEADERS } from '../openai/sse.js';
import type { AppEnv } from '../app-env.js';
import { disconnectSignal, headersOf, nodeSseSink } from './node-request.js';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function chatRoutes(app: Hono<AppEnv>, deps: ChatDeps): void {
  app.post('/v1/chat/completions', async (c) => {
    const out = await handleChat(deps, {
      requestId: c.get('requestId'),
      headers: headersOf(c),
      bodyText: await c.req.text(),
      signal: disconnectSignal(c),
      sseSink: nodeSseSink(c, SSE_HEADERS),
    });
    if (out.kind === 'sent') return RESPONSE_ALREADY_SENT;
    if (out.kind === 'json') return out.text === undefined ? c.json(out.body as object) : c.body(out.text, 200, JSON_HEADERS);
    return c.body(out.body, 200, SSE_HEADERS);
  });
}

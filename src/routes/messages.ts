// POST /v1/messages (any query string: Claude Code calls /v1/messages?beta=true) and
// POST /v1/messages/count_tokens: HTTP in and out; everything else lives in src/messages. Errors
// take Anthropic's shape (routes/error-response.ts decides by path).
import type { Hono } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { AppEnv } from '../app-env.js';
import { handleCountTokens } from '../messages/count-tokens.js';
import { handleMessages, type MessagesDeps, type MessagesInput } from '../messages/handler.js';
import { SSE_HEADERS } from '../openai/sse.js';
import { disconnectSignal, headersOf, nodeSseSink } from './node-request.js';
import type { Context } from 'hono';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

async function inputOf(c: Context<AppEnv>): Promise<MessagesInput> {
  const url = c.req.url;
  const query = url.indexOf('?');
  return {
    requestId: c.get('requestId'),
    headers: headersOf(c),
    bodyText: await c.req.text(),
    path: c.req.path + (query >= 0 ? url.slice(query) : ''),
    signal: disconnectSignal(c),
    // Without Node bindings (app.request() in tests) streams come back as a web stream body.
    sseSink: nodeSseSink(c, SSE_HEADERS) ? (requestId, headers) => nodeSseSink(c, headers)!(requestId) : undefined,
  };
}

/**
 * What Claude Code (2.x) asks of its base URL besides the Messages API: at startup it pre-warms the
 * connection with `HEAD <ANTHROPIC_BASE_URL>` (no key, answer ignored), and Anthropic's clients check
 * reachability with `GET /api/hello`. Both are liveness probes: answered without a key, no ledger row
 * (GET routes answer HEAD too).
 */
export function anthropicProbeRoutes(app: Hono<AppEnv>): void {
  const alive = (c: Context<AppEnv>) => c.json({ status: 'ok' });
  app.get('/', alive);
  app.get('/api/hello', alive);
}

export function messagesRoutes(app: Hono<AppEnv>, deps: MessagesDeps): void {
  anthropicProbeRoutes(app);
  app.post('/v1/messages', async (c) => {
    const out = await handleMessages(deps, await inputOf(c));
    if (out.kind === 'sent') return RESPONSE_ALREADY_SENT;
    if (out.kind === 'json') {
      // Hono writes the body after this returns: its effects run first here (the Node route runs them after).
      out.after?.();
      return c.body(out.text, 200, Object.assign({}, JSON_HEADERS, out.headers));
    }
    return c.body(out.body, 200, Object.assign({}, SSE_HEADERS, out.headers));
  });
  app.post('/v1/messages/count_tokens', async (c) => {
    const out = await handleCountTokens(deps, await inputOf(c));
    return c.body(out.text, out.status as 200, JSON_HEADERS);
  });
}

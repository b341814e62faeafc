// POST /v1/responses, GET|DELETE /v1/responses/:id: HTTP in and out; the surface lives in src/responses.
import type { Context, Hono } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { AppEnv } from '../app-env.js';
import { SSE_HEADERS } from '../openai/sse.js';
import { handleResponses, type ResponsesDeps } from '../responses/handler.js';
import { deleteStored, listInputItems, readStored, serveStored, type StoredAnswer, type StoredOperation } from '../responses/stored.js';
import { disconnectSignal, headersOf, nodeSseSink } from './node-request.js';

export function responsesRoutes(app: Hono<AppEnv>, deps: ResponsesDeps): void {
  app.post('/v1/responses', async (c) => {
    // Headers the handler sets before the first byte (x-tollgate-warnings): the SSE head reads this object when it opens.
    const extra: Record<string, string> = {};
    const sseHeaders: Record<string, string> = { ...SSE_HEADERS };
    const out = await handleResponses(deps, {
      requestId: c.get('requestId'),
      headers: headersOf(c),
      bodyText: await c.req.text(),
      signal: disconnectSignal(c),
      sseSink: nodeSseSink(c, sseHeaders),
      setHeader(name, value) {
        extra[name] = value;
        sseHeaders[name] = value;
      },
    });
    if (out.kind === 'sent') return RESPONSE_ALREADY_SENT;
    if (out.kind === 'json') {
      // Hono writes the body after this returns: its effects run first here (the Node route runs them after).
      out.after?.();
      return out.text === undefined
        ? c.json(out.body as object, 200, extra)
        : c.body(out.text, 200, { 'content-type': 'application/json', ...extra });
    }
    return c.body(out.body, 200, sseHeaders);
  });

  // Stored responses are the key's own: another key's id is as unknown as a made-up one. Each
  // request leaves a requests row (serveStored).
  const stored = (c: Context<AppEnv>, operation: StoredOperation) => ({ requestId: c.get('requestId'), headers: headersOf(c), operation });

  app.get('/v1/responses/:id', async (c) => {
    const signal = disconnectSignal(c);
    return answer(
      c,
      await serveStored(deps, stored(c, 'retrieve'), (access, seen) => readStored(deps, access, c.req.param('id'), signal, seen)),
    );
  });

  app.get('/v1/responses/:id/input_items', async (c) => {
    const signal = disconnectSignal(c);
    const query = new URL(c.req.url).searchParams;
    return answer(
      c,
      await serveStored(deps, stored(c, 'input_items'), (access, seen) =>
        listInputItems(deps, access, c.req.param('id'), query, signal, seen),
      ),
    );
  });

  app.delete('/v1/responses/:id', async (c) => {
    const signal = disconnectSignal(c);
    return answer(
      c,
      await serveStored(deps, stored(c, 'delete'), (access, seen) => deleteStored(deps, access, c.req.param('id'), signal, seen)),
    );
  });
}

function answer(c: Context<AppEnv>, out: StoredAnswer): Response {
  return out.kind === 'json' ? c.json(out.body as object) : c.body(out.text, 200, { 'content-type': 'application/json' });
}

// The hot routes (POST /v1/chat/completions, /v1/messages, /v1/responses) answered straight from
// Node's request listener; every other request goes to Hono (issue 20 allows this for `/v1/*`).
//
// Why (measured, bench/README.md "Where the time goes"): through Hono each call built a Request
// and a Context, ran four middleware closures, built a Response, then materialised its Headers to
// add x-request-id, and @hono/node-server copied them back into Node's writeHead and attached its
// own close handler. With the gateway before and after this listener in the same run
// (`bench/cpu-per-request.ts --vs`, blocks interleaved, load average 10–17 on 2 cores), CPU per
// chat request fell by 10–16% (873 → 773 µs at 32 connections, 1465 → 1228 µs sequential); one
// run of four showed no difference. Here a request costs one Map lookup and the Node calls the
// bare floor makes.
//
// What the middleware in app.ts does for these routes is done here in the same order, with the
// same pieces: request id on every answer, 503 while draining, the body limit (declared length
// first, then counted while reading), waiting for ledger room, the HTTP metrics, and errors
// rendered by errorReply (Anthropic's shape on /v1/messages). app.ts keeps the same routes, so
// `app.request()` and any fetch-only runtime behave the same.
import { newRequestId } from '../ledger/request-id.js';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type GatewayError, toGatewayError } from '../errors.js';
import { readBody } from './read-body.js';
import type { Logger } from '../logger.js';
import { handleChat, type ChatDeps } from '../chat/handler.js';
import { handleMessages, type MessagesDeps } from '../messages/handler.js';
import { handleResponses, type ResponsesDeps } from '../responses/handler.js';
import { SSE_HEADERS } from '../openai/sse.js';
import { errorReply } from './error-response.js';
import { bodyTooLarge } from './body-limit.js';
import { recordRefused, refuseWhileDraining } from './record-refused.js';
import { V1_ROUTES } from './v1-routes.js';
import { answeredByServer } from './server-answered.js';
import type { Surface } from '../chat/run-state.js';
import { nodeContentLength, nodeDisconnect, nodeHeaders, nodeSink } from './node-request.js';
import type { McpEndpoint } from '../../mcp/server/routes.js';
import { headersOf, relayStream } from './node-relay.js';

export interface HotRoutesDeps {
  chat: ChatDeps;
  messages?: MessagesDeps | undefined;
  responses?: ResponsesDeps | undefined;
  maxBodyBytes: number;
  logger: Logger;
  draining?: (() => boolean) | undefined;
  ledgerRoom?: (() => Promise<void> | undefined) | undefined;
  observe?: ((route: string, method: string, status: number, seconds: number) => void) | undefined;
  /** /mcp: the POSTs of open 2025 sessions (tool calls) are answered here too. */
  mcpEndpoint?: McpEndpoint | undefined;
}

/**
 * What a handler answered: a JSON body with its headers (status 200 unless said), or already written
 * (SSE). `after` runs once the body is written (work the client need not wait for: messages/native-run.ts).
 */
type Answer = { status?: number; text: string; headers: Record<string, string>; after?: (() => void) | undefined } | 'sent';

interface HotRequest {
  id: string;
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  /** The body, read before the handler runs ('' for a route that reads it itself). */
  bodyText: string;
  /** Reads the body (the body limit applies): for a route that authenticates before reading it. */
  readBody(): Promise<string>;
  /** Path and query as called. */
  url: string;
}

type Handler = (r: HotRequest) => Promise<Answer>;

/** A hot route: its handler, and what serve() needs to know of it, settled once at startup. */
interface HotRoute {
  handle: Handler;
  /** Errors in Anthropic's shape (the Messages surface). */
  anthropic: boolean;
  /** The handler reads the body itself (after authenticating): /mcp. */
  lazyBody: boolean;
}

/** A POST /mcp is served here only on an open 2025 session; Hono serves the rest of /mcp. */
const MCP = '/mcp';

const JSON_TYPE = 'application/json';

function hotHandlers(deps: HotRoutesDeps): Map<string, HotRoute> {
  // Each surface's handler; which paths they answer is V1_ROUTES' (v1-routes.ts), shared with the
  // 413's requests row.
  const bySurface: Partial<Record<Surface, Handler>> = {};
  const chat = deps.chat;
  bySurface.chat = async (r) => {
    const out = await handleChat(chat, {
      requestId: r.id,
      headers: nodeHeaders(r.incoming.headers),
      bodyText: r.bodyText,
      signal: nodeDisconnect(r.outgoing),
      sseSink: (requestId) => nodeSink(r.outgoing, SSE_HEADERS, requestId),
    });
    if (out.kind === 'json') return { text: out.text ?? JSON.stringify(out.body), headers: { 'content-type': JSON_TYPE } };
    return 'sent';
  };
  const messages = deps.messages;
  if (messages)
    bySurface.messages = async (r) => {
      const out = await handleMessages(messages, {
        requestId: r.id,
        headers: nodeHeaders(r.incoming.headers),
        bodyText: r.bodyText,
        path: r.url,
        signal: nodeDisconnect(r.outgoing),
        // The handler's headers go over SSE_HEADERS when the stream opens (one copy, made there).
        sseSink: (requestId, headers) => nodeSink(r.outgoing, SSE_HEADERS, requestId, headers),
      });
      if (out.kind === 'json') return { text: out.text, headers: { 'content-type': JSON_TYPE, ...out.headers }, after: out.after };
      return 'sent';
    };
  const responses = deps.responses;
  if (responses)
    bySurface.responses = async (r) => {
      // Headers the handler sets before the first byte (x-tollgate-warnings): the SSE head reads
      // them (over SSE_HEADERS) when it opens. Made only when needed (most JSON answers set none).
      let extra: Record<string, string> | undefined;
      const out = await handleResponses(responses, {
        requestId: r.id,
        headers: nodeHeaders(r.incoming.headers),
        bodyText: r.bodyText,
        signal: nodeDisconnect(r.outgoing),
        sseSink: (requestId) => nodeSink(r.outgoing, SSE_HEADERS, requestId, (extra ??= {})),
        setHeader(name, value) {
          (extra ??= {})[name] = value;
        },
      });
      if (out.kind === 'json')
        return {
          text: out.text ?? JSON.stringify(out.body),
          headers: extra ? { 'content-type': JSON_TYPE, ...extra } : { 'content-type': JSON_TYPE },
          after: out.after,
        };
      return 'sent';
    };
  const handlers = new Map<string, HotRoute>();
  for (const [path, route] of V1_ROUTES) {
    const handle = route.hot ? bySurface[route.surface] : undefined;
    if (handle) handlers.set(path, { handle, anthropic: route.surface === 'messages', lazyBody: false });
  }
  // /mcp's tool calls, for the same reason as the /v1 routes (bench/README.md, issue 20, /mcp):
  // Hono's Request, Context, middleware and Response, and @hono/node-server's copy of them into
  // Node's, were ~15% of the gateway's busy time per /mcp tools/call.
  const mcp = deps.mcpEndpoint;
  if (mcp)
    handlers.set(MCP, {
      anthropic: false,
      lazyBody: true,
      handle: async (r) => {
        const answer = await mcp.serveSessionPost({ headers: r.incoming.headers, url: r.url, outgoing: r.outgoing, readBody: r.readBody });
        if (!(answer instanceof Response)) return answer;
        if (!answer.body || !answer.headers.get('content-type')?.startsWith('text/event-stream'))
          return { status: answer.status, headers: headersOf(answer), text: await answer.text() };
        relayStream(answer, r.outgoing, r.id);
        return 'sent';
      },
    });
  return handlers;
}

/** A Node request listener that answers the hot routes itself and hands everything else to `fallback` (Hono). */
export function nodeHotRoutes(deps: HotRoutesDeps, fallback: RequestListener): RequestListener {
  const handlers = hotHandlers(deps);
  const tooLarge = bodyTooLarge(deps.maxBodyBytes);
  const refusedRow = (route: string, id: string, incoming: IncomingMessage, error: GatewayError, elapsedMs: number) =>
    recordRefused(deps.chat, route, id, nodeHeaders(incoming.headers), error, elapsedMs).catch((err: unknown) =>
      deps.logger.error({ err, requestId: id }, `recording a ${error.status} failed`),
    );

  async function serve(route: string, hot: HotRoute, incoming: IncomingMessage, outgoing: ServerResponse, url: string) {
    const id = newRequestId();
    const anthropic = hot.anthropic;
    // Keep-alive clients are told not to send anything else on a connection we are ending.
    const fail = (err: GatewayError, close = false) => {
      const reply = errorReply(err, anthropic, id);
      if (close) reply.headers.connection = 'close';
      reply.headers['x-request-id'] = id;
      send(outgoing, reply.status, reply.headers, reply.body);
      return reply.status;
    };
    const started = performance.now();
    // Its row first (the key named, not admitted: record-refused.ts), as every answered request has
    // one; and counted in the HTTP metrics, as every answer is.
    if (deps.draining?.()) {
      const refused = fail(refuseWhileDraining(deps.chat, 'POST', route, id, nodeHeaders(incoming.headers)), true);
      return void deps.observe?.(route, 'POST', refused, (performance.now() - started) / 1000);
    }

    let observed = route;
    let status: number;
    try {
      const declared = nodeContentLength(incoming.headers);
      if (declared !== undefined && declared > deps.maxBodyBytes) {
        // Refused from the header alone, before any route ran: Hono's metrics call this route '*'.
        observed = '*';
        throw tooLarge;
      }
      const wait = deps.ledgerRoom?.();
      if (wait) await wait;
      const read = () => readBody(incoming, declared === undefined ? deps.maxBodyBytes : undefined, tooLarge);
      const bodyText = hot.lazyBody ? '' : await read();
      const answer = await hot.handle({ id, incoming, outgoing, bodyText, readBody: read, url });
      status = 200;
      if (answer !== 'sent') {
        status = answer.status ?? 200;
        answer.headers['x-request-id'] = id;
        try {
          send(outgoing, status, answer.headers, answer.text);
        } finally {
          answer.after?.();
        }
      }
    } catch (err) {
      const error = toGatewayError(err);
      if (error.status >= 500 && error.type === 'server_error') deps.logger.error({ err, requestId: id }, 'unhandled error');
      if (error.status === 499) {
        // The client left (mid-body, or while the handler waited on the upstream: chat/client-error.ts).
        // Nobody to answer (errorReply would turn 499 into a 400 for HTTP's sake): the metrics say 499, as the ledger does.
        outgoing.destroy();
        // Unless the server answered it while its body arrived (cut by server.requestTimeoutMs: 408; a
        // body Node could not parse: 400): that answer is its row (under the id it carried) and its count.
        const answer = answeredByServer(incoming);
        if (answer) await refusedRow(route, answer.requestId, incoming, answer.error, performance.now() - started);
        status = answer ? answer.error.status : 499;
      } else if (outgoing.headersSent) {
        // A stream that already started ends with its own error frame; nothing else can be said here.
        outgoing.destroy();
        status = 200;
      } else {
        // Refused before the handler could record it: the row is written here, before the answer.
        if (error === tooLarge) await refusedRow(route, id, incoming, tooLarge, performance.now() - started);
        status = fail(error, error === tooLarge);
      }
    }
    deps.observe?.(observed, 'POST', status, (performance.now() - started) / 1000);
  }

  return (incoming, outgoing) => {
    if (incoming.method === 'POST') {
      const url = incoming.url ?? '';
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      const hot = handlers.get(path);
      if (hot && (path !== MCP || incoming.headers['mcp-session-id'] !== undefined)) return void serve(path, hot, incoming, outgoing, url);
    }
    return fallback(incoming, outgoing);
  };
}

function send(outgoing: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  headers['content-length'] = String(Buffer.byteLength(body));
  outgoing.writeHead(status, headers);
  outgoing.end(body);
}

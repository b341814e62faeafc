// createApp(deps): middleware and routes, nothing else, and the one place every route is mounted.
// No I/O happens at import or construction; everything the routes touch arrives in `deps`.
import { newRequestId } from './ledger/request-id.js';
import type { RequestListener } from 'node:http';
import { Hono } from 'hono';
import { getRequestListener, RequestError } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { routePath } from 'hono/route';
import { GatewayError, notFound, renderError, toGatewayError } from './errors.js';
import type { ChatDeps } from './chat/handler.js';
import { chatRoutes } from './routes/chat.js';
import { responsesRoutes } from './routes/responses.js';
import type { ResponsesDeps } from './responses/handler.js';
import { messagesRoutes } from './routes/messages.js';
import type { MessagesDeps } from './messages/handler.js';
import { modelRoutes } from './routes/models.js';
import { errorResponse } from './routes/error-response.js';
import { bodyLimit } from './routes/body-limit.js';
import { recordNotFound, recordRefused, refuseWhileDraining } from './routes/record-refused.js';
import { nodeHotRoutes } from './routes/node-hot-routes.js';
import { mcpServerRoutes, type McpServerRoutesDeps } from './routes/mcp-servers.js';
import { createAdminRoutes, type AdminDeps } from './routes/admin/index.js';
import { dashboardRoutes, type DashboardDeps } from './dashboard/routes.js';
import { metricsRoutes } from './metrics/routes.js';
import type { GatewayMetrics } from './metrics/create-metrics.js';
import type { McpEndpoint } from '../mcp/server/routes.js';
import type { AppEnv } from './app-env.js';
import { clientLeftMidBody, serverAnswer } from './routes/client-left.js';
import type { Logger } from './logger.js';

export interface AppDeps {
  chat: ChatDeps;
  /** The Responses surface (POST /v1/responses, GET|DELETE /v1/responses/:id). */
  responses?: ResponsesDeps;
  /** The Anthropic Messages surface (/v1/messages); the chat pipeline's deps plus its own. */
  messages?: MessagesDeps;
  maxBodyBytes: number;
  logger: Logger;
  /** Readiness: e.g. MCP servers and database; `ok: false` answers 503. */
  readiness(): { ok: boolean; [detail: string]: unknown };
  /** Set while draining on shutdown: new requests get 503. */
  draining?: () => boolean;
  /**
   * The ledger's back-pressure: undefined while its queue has room, else a Promise that resolves
   * once it has. Awaited before any work that writes ledger rows (POST under /v1 and /mcp), so a
   * backlog slows intake instead of growing memory or dropping rows.
   */
  ledgerRoom?: () => Promise<void> | undefined;
  /** Called once per finished request with the matched route pattern (bounded), for HTTP metrics. */
  observe?: (route: string, method: string, status: number, seconds: number) => void;
  /** GET /metrics (Prometheus). */
  metrics?: GatewayMetrics;
  /** /logs, the dashboard (admin token). */
  dashboard?: DashboardDeps;
  /** GET /api/mcp-servers (admin token). */
  mcpServers?: McpServerRoutesDeps;
  /** /mcp: Tollgate as an MCP server (its sessions live in the endpoint, created by the gateway). */
  mcpEndpoint?: McpEndpoint;
  /** The admin API under /api (admin token). */
  admin?: AdminDeps;
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const id = newRequestId();
    c.set('requestId', id);
    if (deps.draining?.() && c.req.path !== '/healthz') {
      const started = performance.now();
      // A request that would leave a row leaves one (its key named, not admitted: record-refused.ts).
      c.res = errorResponse(c, refuseWhileDraining(deps.chat, c.req.method, c.req.path, id, c.req.raw.headers));
      // Tell keep-alive clients not to send anything else on this connection.
      c.res.headers.set('connection', 'close');
      // Counted in the HTTP metrics as every answer is (the metrics middleware below never runs for
      // it), under the pattern of the route that would have answered: the last one matched.
      deps.observe?.(routePath(c, -1), c.req.method, c.res.status, (performance.now() - started) / 1000);
    } else {
      await next();
    }
    // A response written straight to Node (streamed chat) carried the id in its own headers.
    if (c.res !== RESPONSE_ALREADY_SENT) c.res.headers.set('x-request-id', id);
  });

  const observe = deps.observe;
  if (observe) {
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      // routePath(c) after next() is the pattern of the handler that answered, e.g. /api/virtual-keys/:id.
      observe(routePath(c), c.req.method, c.res.status, (performance.now() - started) / 1000);
    });
  }

  // A 413 on a /v1 route gets its requests row like any refusal (routes/record-refused.ts). No
  // start time is kept here (nothing added to requests under the limit), so its latency reads ~0.
  app.use(
    '*',
    bodyLimit(deps.maxBodyBytes, (c, error) =>
      recordRefused(deps.chat, c.req.path, c.get('requestId'), c.req.raw.headers, error, 0).catch((err: unknown) =>
        deps.logger.error({ err, requestId: c.get('requestId') }, 'recording a 413 failed'),
      ),
    ),
  );

  const ledgerRoom = deps.ledgerRoom;
  if (ledgerRoom) {
    const recorded = async (c: { req: { method: string } }, next: () => Promise<void>) => {
      if (c.req.method === 'POST') {
        const wait = ledgerRoom();
        if (wait) await wait;
      }
      await next();
    };
    app.use('/v1/*', recorded);
    app.use('/mcp', recorded);
    app.use('/mcp/*', recorded);
  }

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const r = deps.readiness();
    return c.json({ status: r.ok ? 'ready' : 'not_ready', ...r }, r.ok ? 200 : 503);
  });

  chatRoutes(app, deps.chat);
  if (deps.responses) responsesRoutes(app, deps.responses);
  if (deps.messages) messagesRoutes(app, deps.messages);
  modelRoutes(app, deps.chat);
  if (deps.metrics) metricsRoutes(app, deps.metrics);
  if (deps.dashboard) dashboardRoutes(app, deps.dashboard);
  if (deps.mcpServers) mcpServerRoutes(app, deps.mcpServers);
  deps.mcpEndpoint?.mount(app);
  if (deps.admin) app.route('/api', createAdminRoutes(deps.admin));

  app.notFound(async (c) => {
    const error = notFound(`no route for ${c.req.method} ${c.req.path}`);
    // A known key's 404 under /v1 is its row (record-refused.ts), written before the answer.
    await recordNotFound(deps.chat, c.req.path, c.get('requestId'), c.req.raw.headers, error).catch((err: unknown) =>
      deps.logger.error({ err, requestId: c.get('requestId') }, 'recording a 404 failed'),
    );
    return errorResponse(c, error);
  });
  app.onError(async (err, c) => {
    // Nobody is left to answer: the status is for the metrics (499, as the hot routes count it), or
    // the server's own answer with its row when it answered the request mid-body (server.requestTimeoutMs:
    // 408; a body Node could not parse: 400).
    if (clientLeftMidBody(c)) {
      const answer = serverAnswer(c);
      if (!answer) return c.body(null, 499 as 400);
      // Under the id the server's answer carried (the one set here never went out).
      const { error, ms, requestId } = answer;
      await recordRefused(deps.chat, c.req.path, requestId, c.req.raw.headers, error, ms).catch((e: unknown) =>
        deps.logger.error({ err: e, requestId }, `recording a ${error.status} failed`),
      );
      return c.body(null, error.status as 400);
    }
    const error = toGatewayError(err);
    if (error.status >= 500 && error.type === 'server_error') deps.logger.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    return errorResponse(c, error);
  });
  return app;
}

/**
 * The Node request listener that serves `app`: the hot /v1 routes are answered straight from Node
 * (routes/node-hot-routes.ts says why, with the figures), everything else by Hono through
 * @hono/node-server. main.ts and the integration tests listen with this.
 */
export function createNodeListener(app: Hono<AppEnv>, deps: AppDeps): RequestListener {
  return nodeHotRoutes(deps, getRequestListener(app.fetch, { errorHandler: (err) => unservedRequest(err, deps.logger) }));
}

/**
 * What @hono/node-server answers when it cannot hand a request to the app: one it cannot build a
 * Request from (a URL or Host it refuses: a 400), or a throw before the app ran (500). Before, its
 * own bare 400 carried no x-request-id; now it has one, and a body in the OpenAI shape, as every answer.
 */
function unservedRequest(err: unknown, logger: Logger): Response {
  const error =
    err instanceof RequestError
      ? new GatewayError({ status: 400, type: 'invalid_request_error', message: `the request could not be read: ${err.message}` })
      : toGatewayError(err);
  const requestId = newRequestId();
  if (error.status >= 500) logger.error({ err, requestId }, 'unhandled error');
  return new Response(JSON.stringify(renderError(error)), {
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

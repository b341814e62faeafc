// GET /logs…: the admin dashboard. Everything but the login form and the stylesheet needs the
// admin token (Bearer header or the session cookie set by POST /logs/login). Pages are rendered
// on the server; the CSP forbids scripts outright and allows styles from our own origin only.
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createMiddleware } from 'hono/factory';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { AppEnv } from '../app-env.js';
import type { McpManager } from '../../mcp/manager.js';
import { createDashboardAuth, SESSION_COOKIE } from './session.js';
import type { DashboardQueries } from './queries.js';
import { fillDays, sinceDay } from './usage-queries.js';
import { parseFilters, type Query } from './filters.js';
import { buildTrace } from './trace.js';
import { DASHBOARD_CSS } from './styles.js';
import { LoginPage } from './login-page.js';
import { PAGE_SIZE, RequestsPage } from './requests-page.js';
import { DetailPage } from './detail-page.js';
import { RANGES, UsagePage } from './usage-page.js';
import { McpPage } from './mcp-page.js';
import { Layout } from './layout.js';
import { toolPinDashboardRoutes } from './tool-pin-routes.js';
import type { ToolPinReviews } from '../routes/admin/tool-pins.js';

export interface DashboardDeps {
  /** The ledger reads, on whichever store runs (queries.ts, pg-queries.ts). */
  queries: DashboardQueries;
  mcp: Pick<McpManager, 'status' | 'tools'>;
  /** MCP tool pins: the /logs/tools review page (absent: no page). */
  pins?: ToolPinReviews;
  adminToken: string | undefined;
  now: () => number;
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The client's address, for throttling failed logins (the socket's peer; proxies are not trusted). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function page(c: Context, body: JSX.Element, status: 200 | 401 | 404 | 429 = 200) {
  return c.html(html`<!doctype html>${body}`, status, SECURITY_HEADERS);
}

export function dashboardRoutes(app: Hono<AppEnv>, deps: DashboardDeps): void {
  const auth = createDashboardAuth(deps.adminToken, { now: deps.now });
  const { queries } = deps;

  app.get('/logs/assets/dashboard.css', (c) =>
    c.body(DASHBOARD_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }),
  );

  app.post('/logs/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token : undefined;
    if (!auth.enabled) return page(c, <LoginPage enabled={false} failed={false} />, 401);
    const result = auth.login(token, clientAddress(c));
    if (!result.ok) {
      if (result.retryAfterS === undefined) return page(c, <LoginPage enabled failed />, 401);
      c.header('retry-after', String(result.retryAfterS));
      return page(c, <LoginPage enabled failed throttled />, 429);
    }
    const secure = new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
    setCookie(c, SESSION_COOKIE, result.session, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/logs',
      secure,
      maxAge: Math.floor(auth.ttlMs / 1000),
    });
    return c.redirect('/logs', 303);
  });

  // Ends the session on the server too: the cookie stops working even where a copy of it survives.
  app.post('/logs/logout', (c) => {
    auth.logout(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/logs', httpOnly: true, sameSite: 'Strict' });
    return c.redirect('/logs', 303);
  });

  const requireSession = createMiddleware<AppEnv>(async (c, next) => {
    if (!auth.isAuthenticated(c.req.header('authorization'), getCookie(c, SESSION_COOKIE)))
      return page(c, <LoginPage enabled={auth.enabled} />, 401);
    await next();
  });
  app.use('/logs', requireSession);
  app.use('/logs/*', requireSession);

  app.get('/logs', async (c) => {
    const q = c.req.query() as Query;
    const [rows, { keys, teams }] = await Promise.all([queries.listRequests(parseFilters(q), PAGE_SIZE + 1), queries.filterOptions()]);
    const hasMore = rows.length > PAGE_SIZE;
    return page(c, <RequestsPage q={q} rows={rows.slice(0, PAGE_SIZE)} hasMore={hasMore} keys={keys} teams={teams} />);
  });

  app.get('/logs/requests/:id', async (c) => {
    const id = c.req.param('id');
    const detail = await queries.requestDetail(id);
    if (!detail) {
      return page(
        c,
        <Layout title="Not found" section="requests">
          <h1>No such request</h1>
          <p class="muted">{`No request with id ${id} is in the ledger (it may not be flushed yet, or retention removed it).`}</p>
        </Layout>,
        404,
      );
    }
    return page(c, <DetailPage r={detail.request} trace={buildTrace(detail.llmCalls, detail.toolCalls, detail.payloads)} />);
  });

  app.get('/logs/usage', async (c) => {
    const asked = Number(c.req.query('days'));
    const days = (RANGES as readonly number[]).includes(asked) ? asked : 30;
    const since = sinceDay(deps.now(), days);
    const usage = await queries.usage(since);
    const byDay = fillDays(usage.byDay, since, sinceDay(deps.now(), 1));
    return page(
      c,
      <UsagePage
        days={days}
        since={since}
        byDay={byDay}
        byKey={usage.byKey}
        byTeam={usage.byTeam}
        byModel={usage.byModel}
        byTool={usage.byTool}
      />,
    );
  });

  app.get('/logs/mcp', (c) => page(c, <McpPage servers={deps.mcp.status()} tools={deps.mcp.tools()} />));

  if (deps.pins)
    toolPinDashboardRoutes(app, { pins: deps.pins, page, hasBearer: (authorization) => auth.isAuthenticated(authorization, undefined) });
}

// /logs/tools: the tool-pin review page and its approve/block form POSTs. Mounted behind the
// dashboard session check; the POSTs also require a same-origin request (CSRF).
import type { Context, Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { AppEnv } from '../app-env.js';
import { GatewayError } from '../errors.js';
import { reviewOutcome, type ToolPinReviews } from '../routes/admin/tool-pins.js';
import { requireSameOrigin } from './same-origin.js';
import { ToolPinsPage } from './tool-pins-page.js';

export function toolPinDashboardRoutes(
  app: Hono<AppEnv>,
  deps: {
    pins: ToolPinReviews;
    page: (c: Context, body: JSX.Element, status?: 200 | 401 | 404) => Response | Promise<Response>;
    hasBearer: (authorization: string | undefined) => boolean;
  },
): void {
  app.get('/logs/tools', (c) => deps.page(c, <ToolPinsPage pins={deps.pins.list()} notice={c.req.query('notice')} />));

  for (const action of ['approve', 'block'] as const) {
    app.post(`/logs/tools/:server/:tool/${action}`, requireSameOrigin(deps.hasBearer), async (c) => {
      const { server, tool } = c.req.param();
      const form = await c.req.parseBody();
      const hash = typeof form.hash === 'string' && form.hash !== '' ? form.hash : undefined;
      const outcome = reviewOutcome(await deps.pins[action](server, tool, 'dashboard', hash), server, tool);
      const notice =
        outcome instanceof GatewayError
          ? outcome.message
          : `${server}/${tool}: ${action === 'approve' ? 'approved and re-pinned' : 'blocked'}`;
      // Post/redirect/get: a reload does not repeat the review.
      return c.redirect(`/logs/tools?notice=${encodeURIComponent(notice)}`, 303);
    });
  }
}

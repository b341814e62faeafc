// GET /metrics in the Prometheus text format. Unauthenticated, as Prometheus scrapers expect; it
// carries only bounded, aggregate labels (no key ids, users or request ids), and deployments that
// must hide it can block the path at their proxy.
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { GatewayMetrics } from './create-metrics.js';

export function metricsRoutes(app: Hono<AppEnv>, metrics: GatewayMetrics): void {
  app.get('/metrics', async (c) => {
    const body = await metrics.render();
    return c.body(body, 200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
  });
}

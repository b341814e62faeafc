// The admin API, mounted by the app at /api. Everything behind the admin token.
import { Hono } from 'hono';
import type { BudgetGuard } from '../../governance/budgets.js';
import type { GovernanceRegistry } from '../../governance/registry.js';
import { requireAdminToken } from './auth.js';
import { customerRoutes, teamRoutes } from './teams.js';
import { usageRoutes } from './usage.js';
import { virtualKeyRoutes } from './virtual-keys.js';
import { toolPinRoutes, type ToolPinReviews } from './tool-pins.js';

export { requireAdminToken } from './auth.js';

export interface AdminDeps {
  registry: GovernanceRegistry;
  budgets: BudgetGuard;
  /** From TOLLGATE_ADMIN_TOKEN; undefined disables the admin API (every call is 401). */
  adminToken: string | undefined;
  now: () => number;
  /** MCP tool pins (absent: the /tool-pins routes are not mounted). */
  pins?: ToolPinReviews;
}

export function createAdminRoutes(deps: AdminDeps): Hono {
  const app = new Hono();
  app.use('*', requireAdminToken(deps.adminToken));
  app.route('/virtual-keys', virtualKeyRoutes(deps.registry));
  app.route('/teams', teamRoutes(deps.registry));
  app.route('/customers', customerRoutes(deps.registry));
  app.route('/usage', usageRoutes(deps));
  if (deps.pins) app.route('/tool-pins', toolPinRoutes(deps.pins));
  return app;
}

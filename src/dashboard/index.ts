export { dashboardRoutes, type DashboardDeps } from './routes.js';
export { createSqliteDashboardQueries, type DashboardQueries } from './queries.js';
export { createPgDashboardQueries } from './pg-queries.js';

export { createMetrics, type CreateMetricsOptions, type GatewayMetrics, type McpServerUp } from './create-metrics.js';
export { metricsRoutes } from './routes.js';
export { createLabelBounds, routeLabel, OTHER } from './labels.js';

// prom-client, the parts the gateway uses. Its main entry loads all of it: Summary (and tdigest),
// Pushgateway, the cluster aggregator, and, through the process CPU default metric,
// @opentelemetry/api (34 modules, for exemplars the gateway never enables). In a bare process
// the main entry with collectDefaultMetrics() is 1.4 MB of heap after a full GC, these parts with
// the same default metrics 0.4 MB (issue 20, bench/README.md "Memory"). The deep paths are the
// same modules the main entry loads (it requires './lib/counter' and so on), so a metric made
// here is the one prom-client's own code and tests know.
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export type Registry = Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
export type Histogram<T extends string = string> = Prom.Histogram<T>;

type Config = Prom.DefaultMetricsCollectorConfiguration<'text/plain; version=0.0.4; charset=utf-8'>;
type DefaultMetric = (registry: Registry | undefined, config: Config) => void;
const metric = (name: string): DefaultMetric => require(`prom-client/lib/metrics/${name}`) as DefaultMetric;

/**
 * prom-client's process_cpu_*_seconds_total counters (lib/metrics/processCpuTotal.js) without
 * exemplars: the same names, help, labels and values, without loading @opentelemetry/api.
 */
const processCpuTotal: DefaultMetric = (registry, config = {}) => {
  const registers = registry ? [registry] : undefined;
  const prefix = config.prefix ?? '';
  const labels = config.labels ?? {};
  const labelNames = Object.keys(labels);
  let last = process.cpuUsage();
  const user = new Counter({
    name: `${prefix}process_cpu_user_seconds_total`,
    help: 'Total user CPU time spent in seconds.',
    enableExemplars: false,
    registers,
    labelNames,
    // This one metric's collect sets all three, as prom-client's does.
    collect() {
      const now = process.cpuUsage();
      const userMicros = now.user - last.user;
      const systemMicros = now.system - last.system;
      last = now;
      user.inc(labels, userMicros / 1e6);
      system.inc(labels, systemMicros / 1e6);
      total.inc(labels, (userMicros + systemMicros) / 1e6);
    },
  });
  const system = new Counter({
    name: `${prefix}process_cpu_system_seconds_total`,
    help: 'Total system CPU time spent in seconds.',
    enableExemplars: false,
    registers,
    labelNames,
  });
  const total = new Counter({
    name: `${prefix}process_cpu_seconds_total`,
    help: 'Total user and system CPU time spent in seconds.',
    enableExemplars: false,
    registers,
    labelNames,
  });
};

/** prom-client's collectDefaultMetrics (lib/defaultMetrics.js): the same metrics in the same order. */
export function collectDefaultMetrics(config: Config): void {
  const withDefaults = { eventLoopMonitoringPrecision: 10, ...config };
  const metrics = [
    processCpuTotal,
    metric('processStartTime'),
    metric('osMemoryHeap'),
    metric('processOpenFileDescriptors'),
    metric('processMaxFileDescriptors'),
    metric('eventLoopLag'),
    ...(typeof process.getActiveResourcesInfo === 'function' ? [metric('processResources')] : []),
    metric('processHandles'),
    metric('processRequests'),
    metric('heapSizeAndUsed'),
    metric('heapSpacesSizeAndUsed'),
    metric('version'),
    metric('gc'),
  ];
  for (const m of metrics) m(withDefaults.register, withDefaults);
}

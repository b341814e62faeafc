import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { createMetrics } from './create-metrics.js';
import { collectDefaultMetrics, Registry } from './prom.js';

const loaded = (file: string) => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(file));

// First in this file (node:test runs a file's tests in order, each file in its own process): the
// next test loads prom-client's main entry to compare with it.
test("the gateway's metrics load neither prom-client's main entry nor @opentelemetry/api (issue 20: memory)", async () => {
  const m = createMetrics({ configuredModels: ['openai/gpt-4o-mini'], configuredProviders: ['openai'] });
  assert.match(await m.render(), /^tollgate_process_cpu_seconds_total \d/m);
  assert.ok(loaded('/prom-client/lib/registry.js'));
  assert.equal(loaded('/prom-client/index.js'), false);
  assert.equal(loaded('/@opentelemetry/api/'), false);
  assert.equal(loaded('/prom-client/lib/summary.js'), false);
});

test("the default metrics are prom-client's own collectDefaultMetrics: names, help, types and labels, in order", async () => {
  const prom = await import('prom-client');
  const config = { prefix: 'tollgate_', eventLoopMonitoringPrecision: 100, labels: { app: 'tollgate' } };
  const theirs = new prom.Registry();
  prom.collectDefaultMetrics({ ...config, register: theirs });
  const ours = new Registry();
  collectDefaultMetrics({ ...config, register: ours });
  const shape = async (r: typeof ours) =>
    (await r.getMetricsAsJSON()).map((m) => ({
      name: m.name,
      help: m.help,
      type: m.type,
      aggregator: m.aggregator,
      labels: m.values.map((v) => JSON.stringify(v.labels)).sort(),
    }));
  const expected = await shape(theirs);
  assert.ok(expected.some((m) => m.name === 'tollgate_process_cpu_user_seconds_total'));
  assert.deepEqual(await shape(ours), expected);
  // The CPU counters count: user + system = total, and they move.
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (let t = Date.now(); Date.now() - t < 30; );
  const values = Object.fromEntries((await ours.getMetricsAsJSON()).map((m) => [m.name, m.values[0]?.value ?? Number.NaN]));
  const user = values.tollgate_process_cpu_user_seconds_total!;
  const system = values.tollgate_process_cpu_system_seconds_total!;
  assert.ok(user > 0);
  assert.ok(Math.abs(user + system - values.tollgate_process_cpu_seconds_total!) < 1e-9);
});

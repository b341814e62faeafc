import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { counterSeries, histogramSeries } from './bound-series.js';

const BUCKETS = [0.01, 0.1, 1];

function pair() {
  const registry = new Registry();
  const registers = [registry];
  const counter = new Counter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'], registers });
  const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['a'], buckets: BUCKETS, registers });
  return { registry, counter, histogram };
}

describe('bound series', () => {
  test('render exactly what prom-client renders for the same updates, across a reset', async () => {
    const bound = pair();
    const plain = pair();
    const counterBy = counterSeries(bound.counter, ['a', 'b']);
    const histogramBy = histogramSeries(bound.histogram, ['a'], BUCKETS);
    const values = [0.005, 0.01, 0.05, 0.5, 1, 7, 0];
    const run = () => {
      for (const [i, v] of values.entries()) {
        const a = i % 2 ? 'x' : 'y';
        counterBy(a, 'z').inc();
        plain.counter.inc({ a, b: 'z' });
        histogramBy(a).observe(v);
        plain.histogram.observe({ a }, v);
      }
    };
    run();
    assert.equal(await bound.registry.metrics(), await plain.registry.metrics());
    bound.registry.resetMetrics();
    plain.registry.resetMetrics();
    run();
    run();
    const text = await bound.registry.metrics();
    assert.equal(text, await plain.registry.metrics());
    assert.match(text, /c_total\{a="y",b="z"\} 8/);
    assert.match(text, /h_seconds_bucket\{le="\+Inf",a="y"\} 8/);
  });

  test('once bound, updates no longer go through prom-client calls', () => {
    const { counter, histogram } = pair();
    const counterBy = counterSeries(counter, ['a', 'b']);
    const histogramBy = histogramSeries(histogram, ['a'], BUCKETS);
    counterBy('x', 'y').inc();
    histogramBy('x').observe(0.5);
    const refuse = () => {
      throw new Error('called prom-client');
    };
    counter.inc = refuse;
    histogram.observe = refuse;
    counterBy('x', 'y').inc();
    histogramBy('x').observe(0.5);
  });

  test('a value that is not a number is refused, as prom-client refuses it', () => {
    const { histogram } = pair();
    const by = histogramSeries(histogram, ['a'], BUCKETS);
    by('x').observe(1);
    assert.throws(() => by('x').observe(Number.NaN), TypeError);
    assert.throws(() => histogram.observe({ a: 'x' }, Number.NaN), TypeError);
  });
});

// Counter and histogram series bound to one label tuple, updated in place in prom-client's own
// value map. prom-client hashes the label object on every inc() and observe() (its .labels()
// children too: they only bind the object), which was six label hashes, their strings and label
// validations per chat request (1.6% of the gateway's busy CPU and about 4% of its allocations
// at 64 connections, bench/README.md "Where the time goes"). Here the first update of a series
// goes through prom-client's public call, which creates the entry; later ones add to that entry.
// prom-client still renders, resets and aggregates as before: a reset replaces its map, which is
// noticed (the next update binds again). Should its internals ever not have the expected shape,
// every update goes through the public call, as before.
import type { Counter, Histogram } from 'prom-client';

interface ValueMap {
  hashMap?: Record<string, unknown>;
}

interface CounterEntry {
  value: number;
}

interface HistogramEntry {
  labels: unknown;
  sum: number;
  count: number;
  bucketValues: Record<number, number>;
}

export interface BoundCounter {
  inc(): void;
}

export interface BoundHistogram {
  observe(value: number): void;
}

class CounterSeries implements BoundCounter {
  private map: unknown;
  private entry: CounterEntry | undefined;
  private direct = true;

  constructor(
    private readonly metric: Counter<string>,
    private readonly labels: Record<string, string>,
  ) {}

  inc(): void {
    const map = (this.metric as unknown as ValueMap).hashMap;
    if (this.direct && this.entry && map === this.map) {
      this.entry.value += 1;
      return;
    }
    // prom-client's inc returns the label hash (typed void).
    const result = this.metric.inc(this.labels, 1) as unknown as { labelHash?: unknown } | undefined;
    if (!this.direct) return;
    const entry = typeof result?.labelHash === 'string' ? map?.[result.labelHash] : undefined;
    if (isCounterEntry(entry)) {
      this.map = map;
      this.entry = entry;
    } else this.direct = false;
  }
}

class HistogramSeries implements BoundHistogram {
  private map: unknown;
  private entry: HistogramEntry | undefined;
  private direct = true;

  constructor(
    private readonly metric: Histogram<string>,
    private readonly labels: Record<string, string>,
    private readonly buckets: readonly number[],
  ) {}

  observe(value: number): void {
    const map = (this.metric as unknown as ValueMap).hashMap;
    const entry = this.entry;
    if (this.direct && entry && map === this.map) {
      // What prom-client's observe does with a value, without hashing the labels.
      if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
      entry.sum += value;
      entry.count += 1;
      for (const bound of this.buckets) {
        if (value <= bound) {
          entry.bucketValues[bound] = (entry.bucketValues[bound] ?? 0) + 1;
          break;
        }
      }
      return;
    }
    this.metric.observe(this.labels, value);
    if (!this.direct) return;
    // prom-client keeps the label object it was given in the entry it creates: find that one.
    const found = map && Object.values(map).find((e) => (e as HistogramEntry | undefined)?.labels === this.labels);
    if (isHistogramEntry(found)) {
      this.map = map;
      this.entry = found;
    } else this.direct = false;
  }
}

function isCounterEntry(e: unknown): e is CounterEntry {
  return typeof e === 'object' && e !== null && typeof (e as CounterEntry).value === 'number';
}

function isHistogramEntry(e: unknown): e is HistogramEntry {
  const h = e as HistogramEntry | undefined;
  return (
    typeof h === 'object' &&
    h !== null &&
    typeof h.sum === 'number' &&
    typeof h.count === 'number' &&
    typeof h.bucketValues === 'object' &&
    h.bucketValues !== null
  );
}

/** The series of `metric` for label values given in `labelNames` order, each bound once. */
export function counterSeries(metric: Counter<string>, labelNames: readonly string[]): (...values: string[]) => BoundCounter {
  return memoised(labelNames, (labels) => new CounterSeries(metric, labels));
}

/** As counterSeries; `buckets` must be the histogram's own (its upper bounds, ascending). */
export function histogramSeries(
  metric: Histogram<string>,
  labelNames: readonly string[],
  buckets: readonly number[],
): (...values: string[]) => BoundHistogram {
  return memoised(labelNames, (labels) => new HistogramSeries(metric, labels, buckets));
}

// Label values are bounded (labels.ts), so these maps are too. One map per label position, so a
// lookup builds no key string.
// The lookup takes its values as named parameters, not a rest parameter: it runs several times per
// request (HTTP, chat and attempt series), and a rest parameter is an array allocated on each call
// (~0.5 KB per chat request, bench/README.md "Allocation per request").
const MAX_LABELS = 6;

function memoised<S>(labelNames: readonly string[], make: (labels: Record<string, string>) => S): (...values: string[]) => S {
  if (labelNames.length < 1 || labelNames.length > MAX_LABELS) throw new Error(`a series takes 1 to ${MAX_LABELS} labels`);
  type Level = Map<string, Level | S>;
  const root: Level = new Map();
  const last = labelNames.length - 1;
  return (v0?: string, v1?: string, v2?: string, v3?: string, v4?: string, v5?: string) => {
    let level = root;
    for (let i = 0; i < last; i++) {
      const value = nth(i, v0, v1, v2, v3, v4, v5);
      let next = level.get(value) as Level | undefined;
      if (!next) level.set(value, (next = new Map()));
      level = next;
    }
    const key = nth(last, v0, v1, v2, v3, v4, v5);
    let series = level.get(key) as S | undefined;
    if (series === undefined) {
      const labels: Record<string, string> = {};
      labelNames.forEach((name, i) => {
        labels[name] = nth(i, v0, v1, v2, v3, v4, v5);
      });
      level.set(key, (series = make(labels)));
    }
    return series;
  };
}

function nth(i: number, v0?: string, v1?: string, v2?: string, v3?: string, v4?: string, v5?: string): string {
  switch (i) {
    case 0:
      return v0!;
    case 1:
      return v1!;
    case 2:
      return v2!;
    case 3:
      return v3!;
    case 4:
      return v4!;
    default:
      return v5!;
  }
}

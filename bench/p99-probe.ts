// Bench-only preload (`node --import dist/bench/p99-probe.js …`) for bench/p99-tail.ts: records,
// in one preallocated Float64Array (off the JS heap, so it adds no garbage of its own), when this
// process's HTTP server got and finished each request, when its undici requests were created, got
// headers and ended, when undici opened a connection, when it posted to a Worker, and every GC of
// the main isolate (start, duration, kind). Times are CLOCK_MONOTONIC in ms, shared by every process
// on the machine, so the tool lines them up with its own request timestamps. SIGUSR2 writes the
// events to $P99_PROBE_OUT (the tool sends it before stopping the process).
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

export const EV = {
  serverStart: 1,
  serverFinish: 2,
  upstreamCreate: 3,
  upstreamHeaders: 4,
  upstreamEnd: 5,
  connected: 6,
  gc: 7,
  workerPost: 8,
} as const;

const out = process.env.P99_PROBE_OUT;
if (out) {
  // performance.now() is hrtime since the time origin; this offset makes it CLOCK_MONOTONIC ms.
  const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  const events = new Float64Array(4 * 1_000_000);
  let n = 0;
  const rec = (code: number, t: number, a = 0, b = 0): void => {
    if (n + 4 > events.length) return;
    events[n++] = code;
    events[n++] = t + offset;
    events[n++] = a;
    events[n++] = b;
  };
  const now = () => performance.now();
  subscribe('http.server.request.start', () => rec(EV.serverStart, now()));
  subscribe('http.server.response.finish', () => rec(EV.serverFinish, now()));
  subscribe('undici:request:create', () => rec(EV.upstreamCreate, now()));
  subscribe('undici:request:headers', () => rec(EV.upstreamHeaders, now()));
  subscribe('undici:request:trailers', () => rec(EV.upstreamEnd, now()));
  subscribe('undici:client:connected', () => rec(EV.connected, now()));
  // kind: 1 minor (scavenge), 2 major, 4 incremental marking step, 8 weak callbacks.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      rec(EV.gc, e.startTime, e.duration, (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0);
  }).observe({ entryTypes: ['gc'] });
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    const t = now();
    post.apply(this, args);
    rec(EV.workerPost, t, now() - t);
  };
  process.on('SIGUSR2', () => writeFileSync(out, events.subarray(0, n)));
}

// The ledger writer thread's V8 heap. V8 applies a heap size given on the command line to every
// isolate of the process, ahead of a Worker's own resourceLimits: `npm start`'s
// --max-semi-space-size=8, sized for the main thread's allocation rate, gave the writer's isolate
// the same 2 × 8 MB young generation, 13.5 MB of it resident after 20 s at 64 connections
// (bench/memory.ts; bench/README.md "Memory settings"), for a thread that turns each batch into
// inserts and keeps nothing. The main isolate's heap is sized when the process starts, so clearing
// the flag before a worker starts changes only the isolates created after it: the main thread keeps
// its 8 MB semi-spaces (worker-heap.test.ts checks both).
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The writer's young generation: V8 makes it two 1 MB semi-spaces (plus as much for large new
 * objects). A batch of 1,000 rows is one buffer of ~0.5 MB outside the heap; what the worker
 * allocates per row is gone by the next scavenge.
 */
export const WRITER_YOUNG_GENERATION_MB = 3;

/** A worker thread whose isolate takes its heap limits from `options.resourceLimits`, not from the command line. */
export function startWorker(script: string | URL, options: WorkerOptions): Worker {
  setFlagsFromString('--max-semi-space-size=0');
  return new Worker(script, options);
}

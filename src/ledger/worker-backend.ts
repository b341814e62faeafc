// The SQLite ledger back end used by the gateway: batches are written by a worker thread with its
// own connection (WAL lets it write while the main connection reads and serves admin writes).
// The main thread only pays for handing the rows over (a structured clone), not for the inserts.
import { Worker } from 'node:worker_threads';
import type { LedgerBackend } from './writer.js';
import type { LedgerItem } from './rows.js';
import type { WorkerReply, WorkerRequest } from './sqlite-worker.js';

export interface WorkerLedgerBackend extends LedgerBackend {
  close(): Promise<void>;
}

export function createWorkerLedgerBackend(path: string): WorkerLedgerBackend {
  // From source (tsx) the worker is the .ts file; from dist it is the compiled .js next to this one.
  const fromSource = import.meta.url.endsWith('.ts');
  const file = new URL(fromSource ? './sqlite-worker.ts' : './sqlite-worker.js', import.meta.url);
  // Workers do not inherit the parent's module hooks, so from source (tests, npm run dev) a tiny
  // bootstrap registers tsx first; the built gateway starts the compiled worker directly.
  // The worker only turns batches into inserts and keeps nothing: a small heap keeps the
  // gateway's memory flat under load (V8 would otherwise grow this isolate's young generation too).
  const options = { workerData: { path }, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 } };
  const worker = fromSource
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`, {
        ...options,
        eval: true,
      })
    : new Worker(file, options);
  // The ledger must never keep the process alive on its own; shutdown calls close().
  worker.unref();
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;

  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve();
    else p.reject(new Error(reply.message));
  });
  const failAll = (err: Error) => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`ledger worker exited (code ${code})`)));

  const send = (op: WorkerRequest['op'], items: LedgerItem[]): Promise<void> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, op, items } satisfies WorkerRequest);
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });
  };

  return {
    writeBatch: (items) => send('batch', items as LedgerItem[]),
    write: (item) => send('one', [item]),
    async close() {
      await worker.terminate();
    },
  };
}

// The SQLite ledger back end used by the gateway: batches are written by a worker thread with its
// own connection (WAL lets it write while the main connection reads and serves admin writes).
// The main thread only pays for handing the rows over (one serialized buffer), not for the inserts.
// A worker that dies (say, out of memory) is replaced on the next write: its pending writes fail
// as transient errors, and the writer retries them on the new one.
// The same worker runs the SQL of the stores behind /v1/responses (`store`) and the retention
// batches (`deleteOlder`), in the order they are sent.
import type { Worker } from 'node:worker_threads';
import type { LedgerBackend } from './writer.js';
import { type DeadLetter, rowParams } from './statements.js';
import { serializeRows } from './worker-rows.js';
import type { LedgerItem } from './rows.js';
import type { WorkerReply, WorkerRequest } from './sqlite-worker.js';
import { trackUnsureCommits } from './unsure-commits.js';
import { startWorker, WRITER_YOUNG_GENERATION_MB } from './worker-heap.js';
import type { StoreCall, StoreRun } from '../db/responses-sql.js';
import type { DeleteOlder, RetentionTable } from './retention.js';

export interface WorkerLedgerBackend extends LedgerBackend {
  /** Resolves once a worker has opened the database (rejects if it cannot). */
  ready(): Promise<void>;
  /** How many times a dead worker was replaced. */
  readonly restarts: number;
  /** Runs a stored-responses or approvals call in the worker (after everything sent before it). */
  store: StoreRun;
  /** One retention batch in the worker (retention.ts). */
  deleteOlder: DeleteOlder;
  close(): Promise<void>;
}

export interface WorkerLimits {
  /** The worker's V8 old-generation heap (default 128 MiB); batches are bounded by bytes well below. */
  maxOldGenerationSizeMb?: number;
}

type WorkerMessage =
  | { op: 'one'; items: LedgerItem[] }
  | { op: 'rows'; rows: Uint8Array }
  | { op: 'dead'; letters: DeadLetter[] }
  | { op: 'count'; ids: string[] }
  | { op: 'store'; call: StoreCall }
  | { op: 'retain'; table: RetentionTable; cutoff: number; batchSize: number };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Whether the worker's death leaves it unknown if this write committed (a batch: it may have). */
  died?: (err: Error) => void;
}

interface Running {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
  exited: boolean;
}

export interface WorkerBackendHooks {
  /** Each worker as it is spawned (tests: a worker that dies between COMMIT and its reply). */
  onWorker?: (worker: Worker) => void;
}

export function createWorkerLedgerBackend(path: string, limits: WorkerLimits = {}, hooks: WorkerBackendHooks = {}): WorkerLedgerBackend {
  // From source (tsx) the worker is the .ts file; from dist it is the compiled .js next to this one.
  const fromSource = import.meta.url.endsWith('.ts');
  const file = new URL(fromSource ? './sqlite-worker.ts' : './sqlite-worker.js', import.meta.url);
  // The worker only turns batches into inserts and keeps nothing: a small heap keeps the
  // gateway's memory flat under load (worker-heap.ts).
  const options = {
    workerData: { path },
    resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb ?? 128 },
  };
  let current: Running | undefined;
  let spawned = 0;
  let closed = false;
  let nextId = 1;

  const spawn = (): Running => {
    // Workers do not inherit the parent's module hooks, so from source (tests, npm run dev) a tiny
    // bootstrap registers tsx first; the built gateway starts the compiled worker directly.
    const worker = fromSource
      ? startWorker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`, {
          ...options,
          eval: true,
        })
      : startWorker(file, options);
    const run: Running = { worker, ready: Promise.resolve(), pending: new Map(), exited: false };
    run.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) return resolve();
        const p = run.pending.get(reply.id);
        if (!p) return;
        run.pending.delete(reply.id);
        if (reply.ok) p.resolve(reply.value ?? reply.n);
        else p.reject(Object.assign(new Error(reply.message), { code: reply.code }));
      });
      const died = (err: Error) => {
        if (run.exited) return;
        run.exited = true;
        if (current === run) current = undefined;
        reject(err);
        // No code: transient for the writer, which retries these on the next worker.
        for (const p of run.pending.values()) {
          p.died?.(err);
          p.reject(err);
        }
        run.pending.clear();
      };
      worker.on('error', (err) => died(new Error(`ledger worker failed: ${err.message}`)));
      worker.on('exit', (code) => died(new Error(`ledger worker exited (code ${code})`)));
    });
    // The ledger must never keep the process alive on its own: it is ref'd while it starts (startup
    // awaits it) and while writes are pending.
    const settle = () => {
      if (run.pending.size === 0) worker.unref();
    };
    run.ready.then(settle, settle);
    hooks.onWorker?.(worker);
    return run;
  };

  const running = (): Running => {
    if (!current) {
      spawned++;
      current = spawn();
    }
    return current;
  };

  // A worker that dies with a batch posted may have committed it first: see unsure-commits.ts.
  const commits = trackUnsureCommits(async (ids) => ((await send({ op: 'count', ids })) as number | undefined) ?? 0);

  const send = async (req: WorkerMessage, died?: (err: Error) => void): Promise<unknown> => {
    if (closed) throw new Error('ledger worker is closed');
    const run = running();
    await run.ready;
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      if (run.exited) return reject(new Error('ledger worker exited'));
      run.pending.set(id, { resolve, reject, died });
      run.worker.ref();
      run.worker.postMessage({ ...req, id } as WorkerRequest);
    }).finally(() => {
      if (run.pending.size === 0) run.worker.unref();
    });
  };

  return {
    async writeBatch(batch) {
      const items = await commits.resolve(batch);
      if (!items.length) return;
      // One buffer of positional rows (v8.serialize), not row objects. Node's postMessage asks of
      // every object in a message whether it is a transferable host object, which made handing a
      // batch over about 8 us per row under load (3-4% of the main thread's busy CPU at 64
      // connections), where serializing it costs under 1 us; a buffer is one object.
      const tables = items.map((item) => item.table);
      const params = items.map(rowParams);
      await send({ op: 'rows', rows: serializeRows({ tables, params }) }, () => commits.unsure(items));
    },
    write: async (item) => void (await send({ op: 'one', items: [item] })),
    writeDeadLetters: async (letters) => void (await send({ op: 'dead', letters: letters as DeadLetter[] })),
    store: ((call: StoreCall) => send({ op: 'store', call })) as StoreRun,
    deleteOlder: async (table, cutoff, batchSize) => ((await send({ op: 'retain', table, cutoff, batchSize })) as number | undefined) ?? 0,
    ready: () => running().ready,
    get restarts() {
      return Math.max(0, spawned - 1);
    },
    async close() {
      closed = true;
      await current?.worker.terminate();
    },
  };
}

// Runs in a worker thread: owns its own SQLite connection and writes ledger batches, so the
// inserts (and their fsyncs and index updates) never block the event loop that serves requests.
// It says `ready` once its connection and statements are set up (the gateway takes no chat
// traffic before), and passes SQLite's error code back with each failure so the writer can tell
// a refused row (a data error) from a transient failure.
// It also runs the SQL of the stores behind /v1/responses (stored responses, MCP approvals:
// src/db/responses-sql.ts), in the order the main thread sends it: one connection,
// one thread, no second isolate (about 17 MB of RSS) and no second writer waiting on this one's lock.
import { parentPort, workerData } from 'node:worker_threads';
// The raw connection only: drizzle would add about 2 MB to this isolate for nothing.
import { openWriterConnection } from './writer-connection.js';
import { prepareLedgerStatements, type DeadLetter } from './statements.js';
import { deserializeRows } from './worker-rows.js';
import type { LedgerItem } from './rows.js';
import { prepareStoreOps, type StoreCall } from '../db/responses-sql.js';
import { deleteOlderOn, type RetentionTable } from './retention.js';

export type WorkerRequest =
  | { id: number; op: 'one'; items: LedgerItem[] }
  /** A batch as positional rows in one buffer (worker-rows.ts). */
  | { id: number; op: 'rows'; rows: Uint8Array }
  | { id: number; op: 'dead'; letters: DeadLetter[] }
  /** How many of these request ids are stored (did an unsure batch commit? unsure-commits.ts). */
  | { id: number; op: 'count'; ids: string[] }
  /** A stored-responses or approvals call; its result comes back as `value`. */
  | { id: number; op: 'store'; call: StoreCall }
  /** One retention batch (retention.ts); replies with how many rows it deleted. */
  | { id: number; op: 'retain'; table: RetentionTable; cutoff: number; batchSize: number };

export type WorkerReply =
  | { id: number; ok: true; n?: number; value?: unknown }
  | { id: number; ok: false; message: string; code?: string | undefined }
  | { ready: true };

const { path } = workerData as { path: string };
const sqlite = openWriterConnection(path);
const statements = prepareLedgerStatements(sqlite);
const storeOps = prepareStoreOps(sqlite);
const deleteOlder = deleteOlderOn(sqlite);
const countRequests = sqlite.prepare('SELECT count(*) AS n FROM requests WHERE id IN (SELECT value FROM json_each(?))').pluck();

parentPort!.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (req.op === 'store') reply = { id: req.id, ok: true, value: storeOps(req.call) };
    else if (req.op === 'retain') reply = { id: req.id, ok: true, n: deleteOlder(req.table, req.cutoff, req.batchSize) as number };
    else if (req.op === 'count') reply = { id: req.id, ok: true, n: countRequests.get(JSON.stringify(req.ids)) as number };
    else {
      if (req.op === 'rows') {
        const { tables, params } = deserializeRows(req.rows);
        statements.writeRows(tables, params);
      } else if (req.op === 'dead') statements.writeDeadLetters(req.letters);
      else statements.write(req.items[0]!);
      reply = { id: req.id, ok: true };
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { id: req.id, ok: false, message: (err as Error).message, code: typeof code === 'string' ? code : undefined };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies WorkerReply);

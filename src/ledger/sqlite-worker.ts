// Runs in a worker thread: owns its own SQLite connection and writes ledger batches, so the
// inserts (and their fsyncs and index updates) never block the event loop that serves requests.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { prepareLedgerStatements } from './statements.js';
import type { LedgerItem } from './rows.js';

export interface WorkerRequest {
  id: number;
  op: 'batch' | 'one';
  items: LedgerItem[];
}

export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; message: string };

const { path } = workerData as { path: string };
const db = openDatabase(path);
const statements = prepareLedgerStatements(db.sqlite);

parentPort!.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (req.op === 'batch') statements.writeBatch(req.items);
    else statements.write(req.items[0]!);
    reply = { id: req.id, ok: true };
  } catch (err) {
    reply = { id: req.id, ok: false, message: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});

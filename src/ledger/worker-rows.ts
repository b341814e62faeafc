// A batch of ledger rows as it crosses to the writer thread: each item's table and its statement
// parameters (statements.ts rowParams), serialized into one buffer (see worker-backend.ts).
import { deserialize, serialize } from 'node:v8';
import type { LedgerItem } from './rows.js';
import type { Params } from './statements.js';

export interface WorkerRows {
  tables: LedgerItem['table'][];
  params: Params[];
}

export const serializeRows = (rows: WorkerRows): Uint8Array => serialize(rows);

export const deserializeRows = (data: Uint8Array): WorkerRows => deserialize(data) as WorkerRows;

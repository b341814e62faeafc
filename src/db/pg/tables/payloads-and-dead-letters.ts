// The PostgreSQL ledger side tables, `payloads` and `ledger_dead_letters`: the twins of
// src/db/tables/payloads-and-dead-letters.ts (opt-in bodies; rows the database refused).
import { index, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { epochMs } from './columns.js';

export const payloads = pgTable(
  'payloads',
  {
    id: serial('id').primaryKey(),
    requestId: text('request_id'),
    ts: epochMs('ts').notNull(),
    kind: text('kind').notNull(),
    ref: text('ref'),
    body: text('body').notNull(),
  },
  (t) => [index('payloads_request_idx').on(t.requestId), index('payloads_ts_idx').on(t.ts)],
);

/** Rows the database refused as data errors (see src/db/tables/payloads-and-dead-letters.ts). */
export const ledgerDeadLetters = pgTable(
  'ledger_dead_letters',
  {
    id: serial('id').primaryKey(),
    ts: epochMs('ts').notNull(),
    tableName: text('table_name').notNull(),
    row: text('row').notNull(),
    error: text('error').notNull(),
  },
  (t) => [index('ledger_dead_letters_ts_idx').on(t.ts)],
);

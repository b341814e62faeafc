// The ledger's side tables (SQLite): `payloads` (bodies, when ledger.payloads is on, with their own
// retention) and `ledger_dead_letters` (rows the database refused). Separate because neither is
// part of the cost reports: one is opt-in content, the other the writer's error path.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Prompts, completions, tool args and results, when `ledger.payloads` is on. Own retention. */
export const payloads = sqliteTable(
  'payloads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: text('request_id'),
    ts: integer('ts').notNull(),
    /** 'request'|'response'|'tool_args'|'tool_result' */
    kind: text('kind').notNull(),
    /** e.g. the tool call id */
    ref: text('ref'),
    body: text('body').notNull(),
  },
  (t) => [index('payloads_request_idx').on(t.requestId), index('payloads_ts_idx').on(t.ts)],
);

/**
 * Ledger rows the database refused as data errors (a constraint, a value it cannot store), set
 * aside by the writer instead of dropped: the row as the writer had it (JSON) and the error.
 * Transient failures (database down, busy, the writer's worker restarting) never land here:
 * those rows are retried until they are written.
 */
export const ledgerDeadLetters = sqliteTable(
  'ledger_dead_letters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** When it was set aside (epoch ms). */
    ts: integer('ts').notNull(),
    /** The ledger table it was meant for: requests, llm_calls, tool_calls or payloads. */
    tableName: text('table_name').notNull(),
    /** The row as JSON (the writer's field names). */
    row: text('row').notNull(),
    error: text('error').notNull(),
  },
  (t) => [index('ledger_dead_letters_ts_idx').on(t.ts)],
);

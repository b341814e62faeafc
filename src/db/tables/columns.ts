// Column builders shared by the SQLite ledger tables (requests, llm_calls, tool_calls). Separate
// so each table file uses the same generated `day` column and the reasoning behind it is written once.
import { sql } from 'drizzle-orm';
import { text } from 'drizzle-orm/sqlite-core';

// UTC calendar day ('YYYY-MM-DD') of the epoch-ms `ts`, as a VIRTUAL generated column: it costs
// no storage, and indexing it lets the views answer `WHERE day = '…'` from an index instead of
// a full scan. (A plain expression index would do the same, but drizzle-kit mangles expression
// indexes containing commas, and migrations are never hand-edited.)
export const dayOf = () => text('day').generatedAlwaysAs(sql`date("ts" / 1000, 'unixepoch')`, { mode: 'virtual' });

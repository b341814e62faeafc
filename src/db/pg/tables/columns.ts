// Column builders shared by the PostgreSQL tables: epoch-ms `ts` columns as bigint, and the
// `day`/`month` STORED generated columns that must equal SQLite's date()/strftime() exactly.
// Separate so every table file builds them the same way.
import { sql } from 'drizzle-orm';
import { bigint, text } from 'drizzle-orm/pg-core';

const date = sql`make_date(1970, 1, 1) + ("ts" / 86400000)::int`;
const part = (field: 'year' | 'month' | 'day', width: number) =>
  sql`lpad(extract(${sql.raw(field)} from ${date})::int::text, ${sql.raw(String(width))}, '0')`;
/** UTC 'YYYY-MM-DD' of the epoch-ms `ts`, exactly as SQLite's date(ts / 1000, 'unixepoch'). */
export const dayOf = () => text('day').generatedAlwaysAs(sql`${part('year', 4)} || '-' || ${part('month', 2)} || '-' || ${part('day', 2)}`);
export const monthOf = () => text('month').generatedAlwaysAs(sql`${part('year', 4)} || '-' || ${part('month', 2)}`);
export const epochMs = (name: string) => bigint(name, { mode: 'number' });

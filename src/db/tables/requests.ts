// The `requests` table (SQLite): one row per inbound request, the centre of the SQL reporting
// interface. Separate because its columns and covering indexes, each justified by a reader, are
// most of the ledger's schema on their own.
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { dayOf } from './columns.js';

/** One row per inbound request (chat completion or other ledgered call). */
export const requests = sqliteTable(
  'requests',
  {
    /** The x-request-id the client saw. */
    id: text('id').primaryKey(),
    ts: integer('ts').notNull(),
    day: dayOf(),
    /** UTC 'YYYY-MM'; indexed for cost_by_team_month's `WHERE month = …`. */
    month: text('month').generatedAlwaysAs(sql`strftime('%Y-%m', "ts" / 1000, 'unixepoch')`, { mode: 'virtual' }),
    keyId: text('key_id'),
    teamId: text('team_id'),
    customerId: text('customer_id'),
    /** The model string as the client requested it (e.g. `openai/gpt-4o-mini`). */
    model: text('model'),
    provider: text('provider'),
    upstreamModel: text('upstream_model'),
    /** HTTP status returned to the client. */
    status: integer('status').notNull(),
    errorType: text('error_type'),
    errorMessage: text('error_message'),
    stream: integer('stream').notNull().default(0),
    rounds: integer('rounds').notNull().default(0),
    toolCalls: integer('tool_calls').notNull().default(0),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    /** LLM + tool costs of this request; NULL when any price was unknown (never a fake 0). */
    costUsd: real('cost_usd'),
    costUnknown: integer('cost_unknown').notNull().default(0),
    /** 'usage' | 'estimate': 'estimate' when some part was charged without provider usage (cut short, none sent). */
    costBasis: text('cost_basis').notNull().default('usage'),
    latencyMs: integer('latency_ms').notNull().default(0),
    /** 'chat' | 'mcp' */
    source: text('source').notNull().default('chat'),
    /** The API the client spoke: 'chat' | 'messages' | 'responses' | 'mcp'. */
    surface: text('surface').notNull().default('chat'),
    /** The client's agent session id (x-claude-code-session-id or another configured session header). */
    sessionId: text('session_id'),
    /**
     * What the request was: 'call' (a model call, or an /mcp tools/call: the only rows the cost views
     * count as requests), 'count_tokens' (/v1/messages/count_tokens), or 'retrieve' / 'delete' /
     * 'input_items' (GET|DELETE /v1/responses/{id}[/input_items]; src/ledger/rows.ts).
     */
    operation: text('operation').notNull().default('call'),
    /** Hints the gateway dropped while translating the request ('; '-separated, as in x-tollgate-warnings); NULL when none. */
    warnings: text('warnings'),
  },
  (t) => [
    // Every index here is written on every insert: the ledger writer's CPU per request grows with
    // each one (B-tree work and the pages its COMMIT writes), so each must serve a reader
    // (bench/README.md, "Ledger writer CPU"). ts: retention, the dashboard's newest-first list and
    // its time range; (key|team|model, ts): the dashboard's filters and the startup budget restore
    // of keys and teams. A customer's restore reads its budget period through the ts index
    // (customers are few, each a large share of the rows; startup only).
    index('requests_ts_idx').on(t.ts),
    index('requests_key_ts_idx').on(t.keyId, t.ts),
    index('requests_team_ts_idx').on(t.teamId, t.ts),
    index('requests_model_ts_idx').on(t.model, t.ts),
    // Covering indexes for the reporting views (README example reports ≤ 100 ms over 1M rows,
    // `npm run bench`): each holds every column its view reads, in GROUP BY order, so a report is
    // one range scan of the index, with no table lookups and no sort for the grouping.
    index('requests_day_key_cover_idx').on(
      t.day,
      t.keyId,
      t.teamId,
      t.status,
      t.promptTokens,
      t.completionTokens,
      t.costUsd,
      t.costUnknown,
      t.operation,
    ),
    index('requests_month_team_cover_idx').on(
      t.month,
      t.teamId,
      t.customerId,
      t.status,
      t.promptTokens,
      t.completionTokens,
      t.costUsd,
      t.costUnknown,
      t.operation,
    ),
    // Partial: a request without a session (every chat request, most others) writes no entry,
    // and cost_by_session (`session_id IS NOT NULL`, `session_id = ?`) reads only these rows.
    index('requests_session_idx').on(t.sessionId).where(sql`${t.sessionId} IS NOT NULL`),
    // The README's "spend by surface" (one narrow range scan, grouped in index order; folding it
    // into the team index above makes that report sort the month: 3-4x slower) and "cost per
    // agent session" reports (this week's session requests only: the index is partial); both
    // leave count_tokens calls out of their counts, as the views do.
    index('requests_month_surface_cover_idx').on(t.month, t.surface, t.operation, t.costUsd),
    index('requests_day_session_cover_idx')
      .on(t.day, t.sessionId, t.keyId, t.operation, t.rounds, t.toolCalls, t.costUsd, t.ts)
      .where(sql`${t.sessionId} IS NOT NULL`),
  ],
);

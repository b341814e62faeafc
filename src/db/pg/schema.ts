// The PostgreSQL twin of src/db/schema.ts: same tables, same snake_case columns, same meaning, so
// reporting SQL and the views read the same on both. Differences are only what the dialect needs:
// `ts` is bigint (epoch ms), money is double precision (SQLite's REAL), and `day`/`month` are
// STORED generated columns built from immutable functions only (to_char() is not immutable, so
// the date is taken apart with extract()). Migrations in migrations/pg/ come from this file:
//   npx drizzle-kit generate --config drizzle.pg.config.ts --name <what-changed>
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, integer, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';

const date = sql`make_date(1970, 1, 1) + ("ts" / 86400000)::int`;
const part = (field: 'year' | 'month' | 'day', width: number) =>
  sql`lpad(extract(${sql.raw(field)} from ${date})::int::text, ${sql.raw(String(width))}, '0')`;
/** UTC 'YYYY-MM-DD' of the epoch-ms `ts`, exactly as SQLite's date(ts / 1000, 'unixepoch'). */
const dayOf = () => text('day').generatedAlwaysAs(sql`${part('year', 4)} || '-' || ${part('month', 2)} || '-' || ${part('day', 2)}`);
const monthOf = () => text('month').generatedAlwaysAs(sql`${part('year', 4)} || '-' || ${part('month', 2)}`);
const epochMs = (name: string) => bigint(name, { mode: 'number' });

export const requests = pgTable(
  'requests',
  {
    id: text('id').primaryKey(),
    ts: epochMs('ts').notNull(),
    day: dayOf(),
    month: monthOf(),
    keyId: text('key_id'),
    teamId: text('team_id'),
    customerId: text('customer_id'),
    model: text('model'),
    provider: text('provider'),
    upstreamModel: text('upstream_model'),
    status: integer('status').notNull(),
    errorType: text('error_type'),
    errorMessage: text('error_message'),
    stream: integer('stream').notNull().default(0),
    rounds: integer('rounds').notNull().default(0),
    toolCalls: integer('tool_calls').notNull().default(0),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd'),
    costUnknown: integer('cost_unknown').notNull().default(0),
    /** 'usage' | 'estimate' (see src/db/schema.ts). */
    costBasis: text('cost_basis').notNull().default('usage'),
    latencyMs: integer('latency_ms').notNull().default(0),
    source: text('source').notNull().default('chat'),
    /** The API the client spoke: 'chat' | 'messages' | 'responses' | 'mcp'. */
    surface: text('surface').notNull().default('chat'),
    /** The client's agent session id (x-claude-code-session-id or another configured session header). */
    sessionId: text('session_id'),
    /**
     * What the request was: 'call' (a model call, or an /mcp tools/call) or 'count_tokens'
     * (/v1/messages/count_tokens: free, so the cost views leave it out of their request counts).
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

export const llmCalls = pgTable(
  'llm_calls',
  {
    id: serial('id').primaryKey(),
    requestId: text('request_id').notNull(),
    ts: epochMs('ts').notNull(),
    day: dayOf(),
    round: integer('round').notNull().default(0),
    attempt: integer('attempt').notNull().default(0),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    status: integer('status').notNull(),
    errorType: text('error_type'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd'),
    costUnknown: integer('cost_unknown').notNull().default(0),
    /** 'usage' | 'estimate' (see src/db/schema.ts). */
    costBasis: text('cost_basis').notNull().default('usage'),
    latencyMs: integer('latency_ms').notNull().default(0),
  },
  (t) => [
    index('llm_calls_request_idx').on(t.requestId),
    index('llm_calls_ts_idx').on(t.ts),
    // Covers cost_by_model_day (see requests' covering indexes).
    index('llm_calls_day_model_cover_idx').on(
      t.day,
      t.provider,
      t.model,
      t.status,
      t.promptTokens,
      t.completionTokens,
      t.costUsd,
      t.costUnknown,
    ),
  ],
);

export const toolCalls = pgTable(
  'tool_calls',
  {
    id: serial('id').primaryKey(),
    requestId: text('request_id'),
    sessionId: text('session_id'),
    ts: epochMs('ts').notNull(),
    day: dayOf(),
    keyId: text('key_id'),
    teamId: text('team_id'),
    customerId: text('customer_id'),
    round: integer('round'),
    server: text('server').notNull(),
    tool: text('tool').notNull(),
    name: text('name').notNull(),
    argsHash: text('args_hash'),
    status: text('status').notNull(),
    decision: text('decision').notNull(),
    reason: text('reason'),
    latencyMs: integer('latency_ms'),
    costUsd: doublePrecision('cost_usd'),
    error: text('error'),
    kind: text('kind').notNull().default('tool'),
  },
  (t) => [
    // request_id: a request's trace; ts: retention. No (name, ts) or (key_id, ts): no query of
    // ours reads them (the reports read days of the cover below), and each costs every insert.
    index('tool_calls_request_idx').on(t.requestId),
    index('tool_calls_ts_idx').on(t.ts),
    // (day, name) is the partition of tool_usage_day's window functions: pre-sorted input. The
    // other columns make it covering for that view and the README's per-key reports on tool_calls.
    index('tool_calls_day_name_cover_idx').on(
      t.day,
      t.name,
      t.kind,
      t.decision,
      t.status,
      t.latencyMs,
      t.costUsd,
      t.server,
      t.tool,
      t.keyId,
      t.reason,
    ),
  ],
);

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

/** Rows the database refused as data errors (see src/db/schema.ts). */
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

export const virtualKeys = pgTable(
  'virtual_keys',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    keyHash: text('key_hash').notNull(),
    teamId: text('team_id'),
    config: text('config').notNull(),
    disabled: integer('disabled').notNull().default(0),
    expiresAt: epochMs('expires_at'),
    source: text('source').notNull(),
    createdAt: epochMs('created_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [uniqueIndex('virtual_keys_key_hash_idx').on(t.keyHash)],
);

export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  customerId: text('customer_id'),
  budgetUsd: doublePrecision('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: epochMs('created_at').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
});

export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  budgetUsd: doublePrecision('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: epochMs('created_at').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
});

/** MCP tool pins (mcp/pinning): the twin of SQLite's tool_pins, read once at startup, written through on change. */
export const toolPins = pgTable(
  'tool_pins',
  {
    server: text('server').notNull(),
    tool: text('tool').notNull(),
    hash: text('hash'),
    definition: text('definition'),
    /** 'approved' | 'pending_new' | 'pending_changed' | 'blocked' */
    status: text('status').notNull(),
    /** JSON array of injection markers: [{ code, field, excerpt }]. */
    flags: text('flags').notNull().default('[]'),
    pendingHash: text('pending_hash'),
    pendingDefinition: text('pending_definition'),
    firstSeen: epochMs('first_seen').notNull(),
    updated: epochMs('updated').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: epochMs('approved_at'),
    blockedBy: text('blocked_by'),
    blockedAt: epochMs('blocked_at'),
  },
  (t) => [primaryKey({ columns: [t.server, t.tool] }), index('tool_pins_status_idx').on(t.status)],
);

/** Hosted-MCP approvals (see src/db/schema.ts): decided once, by a conditional UPDATE. */
export const mcpApprovals = pgTable(
  'mcp_approvals',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id'),
    requestId: text('request_id').notNull(),
    serverLabel: text('server_label').notNull(),
    name: text('name').notNull(),
    arguments: text('arguments').notNull(),
    callId: text('call_id').notNull(),
    ts: epochMs('ts').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    /** 'pending' | 'approved' | 'denied' */
    status: text('status').notNull(),
    decidedAt: epochMs('decided_at'),
    decidedIn: text('decided_in'),
  },
  (t) => [index('mcp_approvals_expires_idx').on(t.expiresAt)],
);

/** Stored Responses (see src/db/schema.ts): the gateway's own, or a pointer to the upstream that holds one. */
export const storedResponses = pgTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id'),
    provider: text('provider'),
    response: text('response'),
    messages: text('messages'),
    ts: epochMs('ts').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
  },
  (t) => [index('stored_responses_key_ts_idx').on(t.keyId, t.ts), index('stored_responses_expires_idx').on(t.expiresAt)],
);

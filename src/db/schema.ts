// The ledger and governance tables: the public SQL reporting interface (README, "The ledger: SQL is the reporting interface").
// Columns are snake_case, timestamps are epoch-ms integers named `ts`. Migrations in
// migrations/ are generated from this file by drizzle-kit; change the schema here, then run
// `npx drizzle-kit generate --name <what-changed>`.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// UTC calendar day ('YYYY-MM-DD') of the epoch-ms `ts`, as a VIRTUAL generated column: it costs
// no storage, and indexing it lets the views answer `WHERE day = '…'` from an index instead of
// a full scan. (A plain expression index would do the same, but drizzle-kit mangles expression
// indexes containing commas, and migrations are never hand-edited.)
const dayOf = () => text('day').generatedAlwaysAs(sql`date("ts" / 1000, 'unixepoch')`, { mode: 'virtual' });

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

/** One row per upstream attempt (each round, each retry or fallback). */
export const llmCalls = sqliteTable(
  'llm_calls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: text('request_id').notNull(),
    ts: integer('ts').notNull(),
    day: dayOf(),
    round: integer('round').notNull().default(0),
    attempt: integer('attempt').notNull().default(0),
    provider: text('provider').notNull(),
    /** Upstream model name. */
    model: text('model').notNull(),
    /** Upstream HTTP status; 0 for a network error or timeout. */
    status: integer('status').notNull(),
    errorType: text('error_type'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    costUsd: real('cost_usd'),
    costUnknown: integer('cost_unknown').notNull().default(0),
    /** 'usage' | 'estimate': 'estimate' when charged without the provider's usage (the reservation, or proven input + reserved output). */
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

/** One row per tool call the gateway decided on (allowed and run, or denied). */
export const toolCalls = sqliteTable(
  'tool_calls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** NULL for calls made through the /mcp endpoint. */
    requestId: text('request_id'),
    /** MCP session id for /mcp calls. */
    sessionId: text('session_id'),
    ts: integer('ts').notNull(),
    day: dayOf(),
    keyId: text('key_id'),
    teamId: text('team_id'),
    customerId: text('customer_id'),
    round: integer('round'),
    server: text('server').notNull(),
    /** The tool's MCP name. */
    tool: text('tool').notNull(),
    /** The gateway name, `server__tool`. */
    name: text('name').notNull(),
    /** sha256 hex of the arguments JSON. */
    argsHash: text('args_hash'),
    /** 'ok'|'error'|'timeout'|'invalid_arguments'|'unknown_tool'|'server_unavailable'|'denied' */
    status: text('status').notNull(),
    /** 'allowed'|'denied' */
    decision: text('decision').notNull(),
    /** Why it was denied or failed: tool_not_allowed, tool_rate_limited, budget_exceeded, tool_drifted… */
    reason: text('reason'),
    latencyMs: integer('latency_ms'),
    costUsd: real('cost_usd'),
    error: text('error'),
    /** 'tool' | 'prompt' | 'resource' (prompts and resources are used through /mcp only). */
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

export const virtualKeys = sqliteTable(
  'virtual_keys',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    keyHash: text('key_hash').notNull(),
    teamId: text('team_id'),
    /** JSON: { models, tools, budget, rateLimit, toolLimits, loop } — policy evolves without migrations. */
    config: text('config').notNull(),
    disabled: integer('disabled').notNull().default(0),
    expiresAt: integer('expires_at'),
    /** 'config' | 'api' */
    source: text('source').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('virtual_keys_key_hash_idx').on(t.keyHash)],
);

export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  customerId: text('customer_id'),
  budgetUsd: real('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const customers = sqliteTable('customers', {
  id: text('id').primaryKey(),
  budgetUsd: real('budget_usd'),
  budgetPeriod: text('budget_period'),
  source: text('source').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Tool-definition pins (mcp/pinning): per MCP server and tool, the approved definition's hash and
 * canonical JSON, plus the definition the server lists now when it differs and awaits review.
 */
export const toolPins = sqliteTable(
  'tool_pins',
  {
    server: text('server').notNull(),
    /** The tool's MCP name. */
    tool: text('tool').notNull(),
    /** sha256 hex of the approved canonical definition; NULL until first approved. */
    hash: text('hash'),
    /** The approved canonical definition (JSON: name, title, description, inputSchema, annotations). */
    definition: text('definition'),
    /** 'approved' | 'pending_new' | 'pending_changed' | 'blocked' */
    status: text('status').notNull(),
    /** JSON array of injection markers found in the listed definition: [{ code, field, excerpt }]. */
    flags: text('flags').notNull().default('[]'),
    /** The listed definition awaiting review. */
    pendingHash: text('pending_hash'),
    pendingDefinition: text('pending_definition'),
    firstSeen: integer('first_seen').notNull(),
    updated: integer('updated').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: integer('approved_at'),
    blockedBy: text('blocked_by'),
    blockedAt: integer('blocked_at'),
  },
  (t) => [primaryKey({ columns: [t.server, t.tool] }), index('tool_pins_status_idx').on(t.status)],
);

/**
 * Hosted-MCP approvals on the Responses surface (mcp_approval_request / mcp_approval_response).
 * One row per proposed call, bound to the key that got it and to the exact arguments; it can be
 * decided once: the decision is a conditional UPDATE on `status = 'pending'`, so two replicas (or
 * two requests) racing for the same approval cannot both win.
 */
export const mcpApprovals = sqliteTable(
  'mcp_approvals',
  {
    /** The mcp_approval_request item id the client saw (mcpr_…). */
    id: text('id').primaryKey(),
    keyId: text('key_id'),
    /** The request that proposed the call. */
    requestId: text('request_id').notNull(),
    serverLabel: text('server_label').notNull(),
    /** Gateway tool name `server__tool`. */
    name: text('name').notNull(),
    /** The arguments exactly as proposed (JSON text); the call runs with these and nothing else. */
    arguments: text('arguments').notNull(),
    /** The model's tool call id in the stored conversation. */
    callId: text('call_id').notNull(),
    ts: integer('ts').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** 'pending' | 'approved' | 'denied' */
    status: text('status').notNull(),
    decidedAt: integer('decided_at'),
    /** The request that carried the decision. */
    decidedIn: text('decided_in'),
  },
  (t) => [index('mcp_approvals_expires_idx').on(t.expiresAt)],
);

/**
 * Responses stored for `previous_response_id`, GET and DELETE on /v1/responses, shared by replicas
 * on PostgreSQL. Two kinds of row: one the gateway stored itself (a translated response: the
 * response object and its conversation as chat messages, JSON text), and one stored by a native
 * upstream (`provider` set, no body: GET and DELETE go to that provider). Both belong to one key;
 * rows expire (`expires_at`) and each key keeps its newest N (src/stored-responses).
 */
export const storedResponses = sqliteTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id'),
    /** Set for a response stored upstream: the provider that holds it. */
    provider: text('provider'),
    response: text('response'),
    messages: text('messages'),
    ts: integer('ts').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('stored_responses_key_ts_idx').on(t.keyId, t.ts), index('stored_responses_expires_idx').on(t.expiresAt)],
);

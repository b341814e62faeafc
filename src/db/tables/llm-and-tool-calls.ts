// The per-request detail tables (SQLite): `llm_calls`, one row per upstream attempt, and
// `tool_calls`, one row per tool call the gateway decided on. Separate from `requests` because they
// are written per round and per call, with their own indexes for the model and tool reports.
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { dayOf } from './columns.js';

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

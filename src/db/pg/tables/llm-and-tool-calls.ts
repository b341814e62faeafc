// The PostgreSQL `llm_calls` and `tool_calls` tables: the twins of src/db/tables/llm-and-tool-calls.ts
// (one row per upstream attempt, one per tool call decided on), kept apart from `requests` the same way.
import { doublePrecision, index, integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { dayOf, epochMs } from './columns.js';

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
    /** 'usage' | 'estimate' (see src/db/tables/llm-and-tool-calls.ts). */
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

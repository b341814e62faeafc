// The PostgreSQL Responses tables, `mcp_approvals`, `stored_responses` and `shown_containers`: the twins of
// src/db/tables/responses.ts (state /v1/responses reads back, shared by replicas).
import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { epochMs } from './columns.js';

/** Hosted-MCP approvals (see src/db/tables/responses.ts): decided once, by a conditional UPDATE. */
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

/** Stored Responses (see src/db/tables/responses.ts): the gateway's own, or a pointer to the upstream that holds one. */
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

/** Ids each key was shown, by kind (see src/db/tables/responses.ts): the only ones it may name. */
export const shownContainers = pgTable(
  'shown_containers',
  {
    id: text('id').primaryKey(),
    /** 'container' | 'audio' | 'approval' */
    kind: text('kind').notNull().default('container'),
    keyId: text('key_id'),
    ts: epochMs('ts').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    /** An audio id's size in input tokens (null: not recorded). */
    tokens: integer('tokens'),
  },
  (t) => [index('shown_containers_key_kind_ts_idx').on(t.keyId, t.kind, t.ts), index('shown_containers_expires_idx').on(t.expiresAt)],
);

// The Responses surface's tables (SQLite): `mcp_approvals` (hosted-MCP approvals, decided once),
// `stored_responses` (previous_response_id, GET and DELETE) and `shown_containers` (whose
// code-execution containers, on Responses and Messages alike). Separate because they hold state
// the /v1/responses surface reads back, not ledger records.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
 * upstream (`provider` set, GET and DELETE go to that provider; `response` holds only the tokens its
 * conversation adds to a follow-up, which the budget reserves). Both belong to one key, the first
 * given the id (another key's response under it is not kept: an upsert that changes nothing,
 * logged); rows expire (`expires_at`) and each key keeps its newest N (src/stored-responses).
 */
export const storedResponses = sqliteTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id'),
    /** Set for a response stored upstream: the provider that holds it. */
    provider: text('provider'),
    response: text('response'),
    /**
     * A gateway-stored row: its conversation as chat messages (JSON). An upstream row: the ids of the
     * output items its client was shown (JSON array of strings), so an `item_reference` is sent only
     * for the key's own items (src/responses/owned-input.ts).
     */
    messages: text('messages'),
    ts: integer('ts').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('stored_responses_key_ts_idx').on(t.keyId, t.ts), index('stored_responses_expires_idx').on(t.expiresAt)],
);

/**
 * Ids an answer relayed to a key showed it, which only that key may name in a request, by kind
 * (`container`: a Responses `code_interpreter_call`'s `container_id`, a Messages response's
 * `container.id`, src/governance/owned-containers.ts; `audio`: a Chat Completions answer's audio id,
 * src/governance/owned-audio.ts; `approval`: a native upstream's `mcp_approval_request` for an MCP
 * server it calls itself, src/responses/upstream-approvals.ts). Every key's requests run under the
 * provider's one account, which holds every key's containers, audio and approval requests. The first key shown an id owns it (shown to
 * another key while its row lives, it stays the first's: an upsert that changes nothing, logged);
 * rows expire (`expires_at`) and each key keeps its newest N of each kind.
 */
export const shownContainers = sqliteTable(
  'shown_containers',
  {
    /** The id as the upstream gave it (cntr_…, container_…, audio_…). */
    id: text('id').primaryKey(),
    /** 'container' | 'audio' | 'approval': a lookup matches the kind it names, and each kind has its own bound. */
    kind: text('kind').notNull().default('container'),
    keyId: text('key_id'),
    ts: integer('ts').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** An audio id's size: the most input tokens it adds named by id (null: not recorded, an earlier version's row). */
    tokens: integer('tokens'),
  },
  (t) => [index('shown_containers_key_kind_ts_idx').on(t.keyId, t.kind, t.ts), index('shown_containers_expires_idx').on(t.expiresAt)],
);

// The config file's schema (the contract: README, "Configuration"). Validation errors name the field.
import { z } from 'zod';
import { hostedToolsSchema, pricingSchema } from './config-hosted-tools.js';
import { MCP_STREAM_DEFAULTS } from './config-mcp-stream.js';
import { checkToolCostNames, checkToolRule } from './config-tool-names.js';
import { MAX_TIMER_MS, timerMs } from './config-timers.js';
import { ledgerSchema } from './config-ledger.js';
import { serverSchema } from './config-server.js';

// The longest glob accepted from config, the admin API or the x-tollgate-tools header (the
// matcher, governance/glob.ts, is linear in it).
export const MAX_GLOB_LENGTH = 256;

const period = z.enum(['day', 'week', 'month', 'none']);
export const budgetSchema = z.strictObject({ usd: z.number().nonnegative(), period: period.default('month') });

const providerKey = z.strictObject({ value: z.string(), weight: z.number().positive().default(1) });

export const providerSchema = z.strictObject({
  type: z.string().min(1),
  // A query is kept on every upstream URL (providers/shared/upstream-url.ts). A fragment never reaches
  // the upstream: every path appended after it would be dropped with it, each call sent to the base.
  baseUrl: z
    .string()
    .url()
    .refine((url) => !url.includes('#'), 'a baseUrl cannot carry a fragment (#…): it is never sent, nor anything after it'),
  keys: z.array(providerKey).default([]),
  /** Models this provider serves; used to resolve a model name given without a prefix. */
  models: z.array(z.string()).default([]),
  headers: z.record(z.string(), z.string()).default({}),
  timeoutMs: timerMs().default(120_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
  /**
   * The output cap when a request sets none and the upstream needs one (Anthropic), or a budget
   * applies and the price table does not know the model's maximum output.
   */
  defaultMaxTokens: z.number().int().positive().default(4096),
  /** Which field carries the output cap the gateway adds (OpenAI-compatible upstreams that only know max_tokens). */
  maxTokensField: z.enum(['max_completion_tokens', 'max_tokens']).default('max_completion_tokens'),
  /** Client API formats this upstream speaks natively (passed through); default per provider type. */
  apis: z
    .array(z.enum(['chat', 'messages', 'responses']))
    .min(1)
    .optional(),
});

const serverName = z.string().regex(/^[a-z0-9-]+$/, 'MCP server names are lowercase letters, digits and "-"');

const mcpCommon = {
  /** Per tool-call timeout. */
  callTimeoutMs: timerMs().default(30_000),
  pin: z.enum(['strict', 'warn', 'off']).default('strict'),
  /**
   * Calls (tool calls, prompt gets, resource reads, completions) sent to the server at once; the
   * rest wait their turn, served fairly across teams, then keys (mcp/fair-queue.ts). Unset: no bound.
   */
  maxCallsInFlight: z.number().int().positive().optional(),
};

export const mcpServerSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** The only environment the child gets (plus PATH/HOME-style basics); never the gateway's secrets. */
    env: z.record(z.string(), z.string()).default({}),
    /** Working directory; with `user` and no `cwd`, a fresh empty directory owned by that user. */
    cwd: z.string().optional(),
    /**
     * Run the server as this Unix user (name or uid), so it cannot read the gateway's environment,
     * config or database. Needs the gateway to run as root; see README, "Isolation".
     */
    user: z.string().min(1).optional(),
    ...mcpCommon,
  }),
  z.strictObject({
    transport: z.enum(['http', 'sse']),
    url: z.string().url(),
    headers: z.record(z.string(), z.string()).default({}),
    ...mcpCommon,
  }),
]);

export const priceSchema = z.strictObject({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  cachedInputPerMTok: z.number().nonnegative().optional(),
  cacheWritePerMTok: z.number().nonnegative().optional(),
  /** Anthropic's 1-hour cache write (`cache_control.ttl: "1h"`, twice the input rate); unset: cacheWritePerMTok's rate. */
  cacheWrite1hPerMTok: z.number().nonnegative().optional(),
  /** Audio tokens (usage's `…_tokens_details.audio_tokens`: OpenAI's audio models bill them apart); unset: the text rates. */
  audioInputPerMTok: z.number().nonnegative().optional(),
  audioOutputPerMTok: z.number().nonnegative().optional(),
  /** The model's largest answer (output + reasoning tokens): the cap sent and reserved for budgeted requests without one. */
  maxOutputTokens: z.number().int().positive().optional(),
  /** The most input tokens one image can count as for this model (default 3,800; see README "Budgets"). */
  maxImageTokens: z.number().int().positive().optional(),
});

const glob = z.string().min(1).max(MAX_GLOB_LENGTH, `patterns are at most ${MAX_GLOB_LENGTH} characters`);
const globList = z.array(glob);
/** A glob on gateway tool names (config-tool-names.ts: one written in another spelling is refused). */
const toolGlob = glob.superRefine(checkToolRule());
const toolGlobList = z.array(toolGlob);

export const loopSchema = z.strictObject({
  maxRounds: z.number().int().positive().default(10),
  maxToolCalls: z.number().int().positive().default(50),
  maxCostUsd: z.number().positive().optional(),
  timeoutMs: timerMs().default(120_000),
});

const windowSpec = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a window is like "30s", "1m", "1h" or "1d"');

export const rateLimitSchema = z.strictObject({
  requests: z.number().int().positive().optional(),
  tokens: z.number().int().positive().optional(),
  window: windowSpec.default('1m'),
  /** Upstream calls of the key in flight at once on one replica; default: the config's maxInFlightPerKey. */
  inFlight: z.number().int().positive().optional(),
  /** MCP tool calls of the key in flight at once on one replica; default: the config's maxToolCallsInFlightPerKey. */
  toolCallsInFlight: z.number().int().positive().optional(),
});

/** A virtual key as written in config or sent to POST /api/virtual-keys (without `key`). */
export const virtualKeyFields = {
  id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'ids are letters, digits, ".", "_" and "-"'),
  name: z.string().max(200).optional(),
  team: z.string().optional(),
  models: globList.default(['*']),
  tools: z.strictObject({ allow: toolGlobList.default([]), deny: toolGlobList.default([]) }).default({ allow: [], deny: [] }),
  /** /mcp prompts (`server__prompt`) and resources (`server+<uri>`); absent: what `tools` reaches on each server. */
  prompts: z.strictObject({ allow: globList.default([]), deny: globList.default([]) }).optional(),
  resources: z.strictObject({ allow: globList.default([]), deny: globList.default([]) }).optional(),
  budget: budgetSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  /** Per-tool call limits: glob on server__tool → calls per window. */
  toolLimits: z.array(z.strictObject({ tool: toolGlob, calls: z.number().int().positive(), window: windowSpec.default('1m') })).default([]),
  /** Globs on server__tool that never run without a person's approval (hosted MCP on /v1/responses asks for it; chat and /v1/messages get a tool result saying so). */
  approval: toolGlobList.default([]),
  loop: loopSchema.default({ maxRounds: 10, maxToolCalls: 50, timeoutMs: 120_000 }),
  disabled: z.boolean().default(false),
  /** ISO 8601 time after which the key is refused. */
  expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
};

export const virtualKeySchema = z.strictObject({ ...virtualKeyFields, key: z.string().min(8, 'virtual keys are at least 8 characters') });

export const teamSchema = z.strictObject({ id: z.string().min(1), customer: z.string().optional(), budget: budgetSchema.optional() });
export const customerSchema = z.strictObject({ id: z.string().min(1), budget: budgetSchema.optional() });

/** /mcp sessions of one team's keys together when mcpEndpoint.maxSessionsPerTeam is not set (or maxSessions, when lower). */
export const DEFAULT_MCP_SESSIONS_PER_TEAM = 200;

/** Tollgate as an MCP server (/mcp): who may reach it and how much of it one key may hold. */
export const mcpEndpointSchema = z
  .strictObject({
    /** Browser origins allowed besides the gateway's own (exact, e.g. "https://app.example.com"; "*" for any). */
    allowedOrigins: z.array(z.string().min(1)).default([]),
    /** Host header values allowed ("gw.example.com" or "gw.example.com:8443"; "*"). Empty: loopback-only when listening on loopback, else any. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    maxSessions: z.number().int().positive().default(1000),
    maxSessionsPerKey: z.number().int().positive().default(50),
    /** Sessions of all the keys of one team together (at most maxSessions); default DEFAULT_MCP_SESSIONS_PER_TEAM, or maxSessions when lower. */
    maxSessionsPerTeam: z.number().int().positive().optional(),
    /** A session without a request this long is closed. */
    sessionIdleMs: timerMs().default(30 * 60_000),
    /** A session (or a 2026-07-28 listen stream) is closed this long after it opened. */
    sessionMaxAgeMs: timerMs().default(24 * 60 * 60_000),
    /** How long a tool call waits for its client to answer an elicitation or sampling request. */
    inputTimeoutMs: timerMs().default(5 * 60_000),
    /** Tool calls of one key waiting for their client's input at once. */
    maxPendingPerKey: z.number().int().positive().default(16),
    /** ttlMs caching hint on list results for 2026-07-28 clients. */
    listTtlMs: z.number().int().nonnegative().default(30_000),
    maxSubscriptionsPerSession: z.number().int().positive().default(100),
    /** Bytes an /mcp event stream queues for a client that does not read before it waits for it (at most inputTimeoutMs). */
    streamHighWaterMark: z.number().int().positive().default(MCP_STREAM_DEFAULTS.highWaterMark),
    /** Bytes an /mcp event stream queues at most: a client that falls further behind has its stream ended. */
    streamMaxQueued: z.number().int().positive().default(MCP_STREAM_DEFAULTS.maxQueued),
  })
  .refine((e) => e.maxSessionsPerTeam === undefined || e.maxSessionsPerTeam <= e.maxSessions, {
    message: 'maxSessionsPerTeam must be at most maxSessions',
    path: ['maxSessionsPerTeam'],
  })
  .refine((e) => e.streamMaxQueued >= e.streamHighWaterMark, {
    message: 'streamMaxQueued must be at least streamHighWaterMark',
    path: ['streamMaxQueued'],
  })
  .prefault({});

export const configSchema = z.strictObject({
  providers: z.record(z.string().regex(/^[a-z0-9-]+$/, 'provider names are lowercase letters, digits and "-"'), providerSchema).default({}),
  mcpServers: z.record(serverName, mcpServerSchema).default({}),
  pricing: pricingSchema(priceSchema),
  /** Bounds for tools the upstream runs (web search…) under a budget: README, "Budgets". */
  hostedTools: hostedToolsSchema,
  toolCosts: z.record(z.string(), z.number().nonnegative()).default({}).superRefine(checkToolCostNames),
  /**
   * Opt-in: budgeted keys may use models without a price, each call charged this much (recorded as
   * an estimate). Unset: a key, team or customer with a budget is refused unpriced models (403).
   */
  unpricedModels: z.strictObject({ chargePerCallUsd: z.number().positive() }).optional(),
  teams: z.array(teamSchema).default([]),
  customers: z.array(customerSchema).default([]),
  virtualKeys: z.array(virtualKeySchema).default([]),
  requireVirtualKey: z.boolean().default(true),
  /** Largest accepted request body. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /**
   * Upstream calls one key may have in flight at once on one replica (429 beyond): the upstream
   * connection pool (256 per origin) is shared by every key. A key's rateLimit.inFlight overrides it.
   */
  maxInFlightPerKey: z.number().int().positive().default(64),
  /** The same for all the keys of one team together: half the pool, so one team's keys cannot take it all either. */
  maxInFlightPerTeam: z.number().int().positive().default(128),
  /**
   * MCP tool calls one key may have in flight at once on one replica (beyond: refused as the call's
   * result): an MCP server runs few calls at once (a stdio server one), and every key shares it. A
   * key's rateLimit.toolCallsInFlight overrides it.
   */
  maxToolCallsInFlightPerKey: z.number().int().positive().default(16),
  /** The same for all the keys of one team together. */
  maxToolCallsInFlightPerTeam: z.number().int().positive().default(64),
  ledger: ledgerSchema,
  /** The HTTP server's limits on slow and idle clients (README, "Configuration"). */
  server: serverSchema,
  /** Only read when TOLLGATE_REDIS is set. failOpen: admit requests while Redis is unreachable (default: 503). */
  redis: z
    .strictObject({
      failOpen: z.boolean().default(false),
      /** A reservation not renewed for this long (its replica died) is released. Renewed every third of it. */
      leaseMs: z.number().int().min(1000).max(MAX_TIMER_MS).default(60_000),
    })
    .optional(),
  mcpEndpoint: mcpEndpointSchema,
  /** Request headers carrying the client's agent session id (requests.session_id), first found wins. */
  sessionHeaders: z
    .array(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'header names are letters, digits and "-"'))
    .default(['x-claude-code-session-id']),
  /** Bounds on the work one request may ask for (400 beyond them): messages and content parts. */
  requestLimits: z
    .strictObject({
      maxMessages: z.number().int().positive().default(10_000),
      maxContentParts: z.number().int().positive().default(100_000),
    })
    .prefault({}),
  /** The Anthropic Messages surface (/v1/messages). */
  messages: z
    .strictObject({
      /** A streamed response silent this long gets a ping (Claude Code gives up after 300 s of silence). */
      pingIntervalMs: timerMs().default(10_000),
    })
    .prefault({}),
  /** The OpenAI Responses surface (/v1/responses): how long stored responses live, how many each key keeps, and its WebSocket connections. */
  responses: z
    .strictObject({
      storedTtlMs: z
        .number()
        .int()
        .positive()
        .default(24 * 60 * 60 * 1000),
      maxStoredPerKey: z.number().int().positive().default(2_000),
      /** WebSocket mode: what one key may hold open on one replica, and how long an idle connection lives. */
      webSocket: z
        .strictObject({
          maxConnectionsPerKey: z.number().int().positive().default(16),
          /** A connection with no response in progress and no message this long is closed. */
          idleTimeoutMs: timerMs().default(10 * 60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Default loop caps when there is no key (requireVirtualKey: false). */
  loop: loopSchema.default({ maxRounds: 10, maxToolCalls: 50, timeoutMs: 120_000 }),
});

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type McpEndpointConfig = z.infer<typeof mcpEndpointSchema>;
export type Price = z.infer<typeof priceSchema>;
export type Budget = z.infer<typeof budgetSchema>;
export type LoopLimits = z.infer<typeof loopSchema>;
export type RateLimit = z.infer<typeof rateLimitSchema>;
export type VirtualKeyConfig = z.infer<typeof virtualKeySchema>;
export type TeamConfig = z.infer<typeof teamSchema>;
export type CustomerConfig = z.infer<typeof customerSchema>;

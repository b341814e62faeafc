// One error family for the whole gateway and the one function that renders it.
// Every failure a client can see is a GatewayError rendered as the OpenAI error body:
// {"error":{"message","type","code","param"}} (see the contract's error table).

/** The `type` of every error body (the contract's error table). */
export const ERROR_TYPES = [
  'invalid_request_error',
  'virtual_key_required',
  'virtual_key_not_found',
  'virtual_key_blocked',
  'model_blocked',
  'provider_blocked',
  'budget_exceeded',
  'rate_limited',
  'not_found_error',
  'authentication_error',
  'request_too_large',
  'upstream_error',
  'upstream_timeout',
  'service_unavailable',
  'server_error',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * Every `code` the gateway puts in an error body, the ledger's `error_type` column or the
 * `error_type` metric label. One list, so the same failure has one name whichever provider or
 * surface it came through, and the metric label is bounded by construction.
 */
export const ERROR_CODES = [
  // The request itself.
  'invalid_json',
  'json_too_deep',
  'body_too_large',
  'model_not_found',
  'invalid_model_name',
  'conflicting_max_tokens',
  'too_many_messages',
  'too_many_content_parts',
  'invalid_tools_header',
  // Budgets and their store.
  'model_unpriced',
  'hosted_tool_unpriced',
  'stored_input_under_budget',
  'remote_input_under_budget',
  'key_budget_exceeded',
  'team_budget_exceeded',
  'customer_budget_exceeded',
  'budget_store_unavailable',
  // Rate limits.
  'key_calls_in_flight_exhausted',
  'team_calls_in_flight_exhausted',
  // The admin API.
  'read_only',
  'already_exists',
  'in_use',
  'nothing_pending',
  'hash_mismatch',
  // Upstreams: before a response, a status, a body or stream that is not what the API promises.
  'provider_key_missing',
  'upstream_unreachable',
  'upstream_timeout',
  'upstream_rejected',
  'upstream_auth_failed',
  'upstream_rate_limited',
  'upstream_overloaded',
  'upstream_status',
  'upstream_malformed',
  'upstream_stream_error',
  'upstream_stream_truncated',
  // The loop and the client.
  'loop_timeout',
  'client_closed',
  'client_aborted',
  'request_timeout',
  'http_parse_error',
  // The /mcp endpoint.
  'mcp_sessions_exhausted',
  'mcp_key_sessions_exhausted',
  'mcp_team_sessions_exhausted',
  'mcp_session_key_mismatch',
  'mcp_origin_not_allowed',
  'mcp_host_not_allowed',
  // A 2026-07-28 request the MCP SDK refused at its envelope (mcp/server/modern.ts).
  'mcp_header_mismatch',
  'mcp_unsupported_protocol_version',
  'mcp_unsupported_media_type',
  'mcp_invalid_envelope',
  // The Responses surface.
  'untranslatable_field',
  'responses_websocket_connections_exhausted',
  // Messages and Responses: a governed top-level key sent twice (wire/duplicate-keys.ts).
  'duplicate_key',
  'mcp_server_not_configured',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What an attempt or request row records as its error: the code when there is one, else the type. */
export type ErrorKind = ErrorCode | ErrorType;

export interface GatewayErrorInit {
  status: number;
  type: ErrorType;
  message: string;
  code?: ErrorCode | null;
  param?: string | null;
  /** Seconds; sent as Retry-After. */
  retryAfter?: number;
  /** For upstream errors: whether another attempt (retry or fallback) may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/** Who a refusal was for, when it happened before the request had its Access (rate limits, blocked keys). */
export interface Requester {
  keyId: string | null;
  teamId: string | null;
  customerId: string | null;
}

export class GatewayError extends Error {
  /** Set by governance on refusals of a known key, so the ledger row names who was refused. */
  requester?: Requester;
  readonly status: number;
  readonly type: ErrorType;
  readonly code: ErrorCode | null;
  readonly param: string | null;
  readonly retryAfter: number | undefined;
  readonly retryable: boolean;

  constructor(init: GatewayErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.retryAfter = init.retryAfter;
    this.retryable = init.retryable ?? false;
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: ErrorCode | null = null) =>
  new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code });

export const notFound = (message: string) => new GatewayError({ status: 404, type: 'not_found_error', message });

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** Anything thrown becomes a GatewayError; unknown errors become a 500 without leaking internals. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError({ status: 500, type: 'server_error', message: 'Internal gateway error', cause: err });
}

/** The code if the error has one, else its type: what the ledger and the metrics call this failure. */
export function errorKind(err: GatewayError): ErrorKind {
  return err.code ?? err.type;
}

export function renderError(err: GatewayError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, code: err.code, param: err.param } };
}

export function errorHeaders(err: GatewayError): Record<string, string> {
  return err.retryAfter === undefined ? {} : { 'retry-after': String(Math.max(0, Math.ceil(err.retryAfter))) };
}

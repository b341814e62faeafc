// One error family for the whole gateway and the one function that renders it.
// Every failure a client can see is a GatewayError rendered as the OpenAI error body:
// {"error":{"message","type","code","param"}} (see the contract's error table).

export type ErrorType =
  | 'invalid_request_error'
  | 'virtual_key_required'
  | 'virtual_key_not_found'
  | 'virtual_key_blocked'
  | 'model_blocked'
  | 'provider_blocked'
  | 'budget_exceeded'
  | 'rate_limited'
  | 'not_found_error'
  | 'authentication_error'
  | 'request_too_large'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'service_unavailable'
  | 'server_error';

export interface GatewayErrorInit {
  status: number;
  type: ErrorType;
  message: string;
  code?: string | null;
  param?: string | null;
  /** Seconds; sent as Retry-After. */
  retryAfter?: number;
  /** For upstream errors: whether another attempt (retry or fallback) may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
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

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
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

export function renderError(err: GatewayError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, code: err.code, param: err.param } };
}

export function errorHeaders(err: GatewayError): Record<string, string> {
  return err.retryAfter === undefined ? {} : { 'retry-after': String(Math.max(0, Math.ceil(err.retryAfter))) };
}

// The Messages error shape: {"type":"error","error":{"type","message"},"request_id"}, with
// Anthropic's error types for the statuses of the contract's error table.
// https://docs.anthropic.com/en/api/errors
import { GatewayError } from '../../errors.js';

/** Anthropic's error type for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string; tollgate_type: string; code: string | null; param: string | null };
  request_id: string;
}

/**
 * The gateway's own error in Anthropic's shape. Anthropic clients read `error.type` and
 * `error.message`; the gateway's type, code and param ride along (SDKs ignore unknown fields).
 */
export function renderAnthropicError(err: GatewayError, requestId: string): AnthropicErrorBody {
  const status = err.status === 499 ? 400 : err.status;
  return {
    type: 'error',
    error: { type: anthropicErrorType(status), message: err.message, tollgate_type: err.type, code: err.code, param: err.param },
    request_id: requestId,
  };
}

/**
 * An Anthropic upstream's error, kept as it came: Claude Code's recovery matches on the wording, so
 * the status and body are returned unmodified (llm-gateway-protocol: "return upstream error bodies
 * unmodified").
 */
export interface RawUpstreamError {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** Attached to the GatewayError a native Messages call failed with. */
export function rawErrorOf(err: unknown): RawUpstreamError | undefined {
  return (err as { rawUpstream?: RawUpstreamError } | null)?.rawUpstream;
}

export function withRawError<E extends object>(err: E, raw: RawUpstreamError): E {
  return Object.assign(err, { rawUpstream: raw });
}

/**
 * An `event: error` mid-stream ({"type":"error","error":{"type","message"}}). Anthropic sends it
 * with a 200 status already committed, e.g. overloaded_error when capacity runs out. Overload is
 * a capacity problem (503, worth another attempt); anything else is a failed upstream (502).
 */
export function streamError(data: unknown): GatewayError {
  const error = (data as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  const type = typeof error?.type === 'string' ? error.type : 'unknown_error';
  const message = typeof error?.message === 'string' ? error.message : 'no message';
  const overloaded = type === 'overloaded_error';
  return new GatewayError({
    status: overloaded ? 503 : 502,
    type: 'upstream_error',
    code: overloaded ? 'upstream_overloaded' : 'upstream_stream_error',
    message: `anthropic stream error (${type}): ${message}`,
    retryable: overloaded || type === 'api_error',
  });
}

export function streamEndedEarly(): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_stream_truncated',
    message: 'anthropic stream ended early (no message_stop)',
    retryable: true,
  });
}

export function badStreamEvent(event: string): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_malformed',
    message: `anthropic sent an unparsable ${event} event`,
  });
}

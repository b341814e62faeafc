// Anthropic failures → GatewayError.
// Spec: https://docs.anthropic.com/en/api/errors (HTTP errors and errors inside an SSE stream).
import { GatewayError } from '../../src/errors.js';
import { upstreamMessage, upstreamStatusError } from '../shared/upstream-error.js';

export function errorFromResponse(status: number, bodyText: string, headers: Record<string, string | undefined>): GatewayError {
  return upstreamStatusError('anthropic', status, upstreamMessage(bodyText), headers);
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

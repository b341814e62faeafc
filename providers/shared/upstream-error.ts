// How an upstream HTTP status becomes a gateway error. Shared by adapters so every provider
// maps failures the same way; adapters only extract the upstream's message.
import { GatewayError } from '../../src/errors.js';

/** Parses Retry-After (seconds or HTTP date) into seconds; undefined when absent or unparsable. */
function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * - 400/404/413/422: the request itself is wrong; the caller can fix it → 400, not retried.
 * - 401/403: our provider credentials are wrong; not the caller's fault → 502, not retried.
 * - 408/409/429/5xx: transient → retried; after the last attempt 429 → 503, others → 502.
 */
export function upstreamStatusError(
  provider: string,
  status: number,
  message: string,
  headers: Record<string, string | undefined> = {},
): GatewayError {
  const text = `${provider} returned ${status}: ${message || 'no message'}`;
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    return new GatewayError({ status: 400, type: 'invalid_request_error', message: text, code: 'upstream_rejected' });
  }
  if (status === 401 || status === 403) {
    return new GatewayError({ status: 502, type: 'upstream_error', message: text, code: 'upstream_auth_failed' });
  }
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  return new GatewayError({
    status: status === 429 ? 503 : 502,
    type: 'upstream_error',
    message: text,
    code: status === 429 ? 'upstream_rate_limited' : 'upstream_status',
    retryable,
    retryAfter: parseRetryAfter(headers['retry-after']),
  });
}

/** Pulls `error.message` (OpenAI and Anthropic both use it) from an error body, else the raw text. */
export function upstreamMessage(bodyText: string): string {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return bodyText.slice(0, 500);
}

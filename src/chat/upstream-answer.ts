// What an upstream answered, read: a JSON body parsed through the adapter, an error status mapped by
// the adapter (our credentials cut from its text), an unreadable answer as 502 upstream_malformed.
import { GatewayError } from '../errors.js';
import type { ChatCompletion } from '../openai/types.js';
import type { Target } from './targets.js';
import { redactText } from '../secrets/redact.js';

export type AdapterContext = Parameters<Target['adapter']['chatResponse']>[1];

/** An error status from the upstream, as the adapter maps it, with our credentials cut from its text. */
export function errorAnswer(
  target: Target,
  apiKey: string | undefined,
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
): GatewayError {
  // Some upstreams quote the credential they were sent ("Incorrect API key provided: sk-…");
  // the error text goes to the client and the ledger, so our provider key, the values of the
  // provider's configured headers (credentials set there) and URL credentials are cut out first.
  const safe = redactText(text, apiKey ? [apiKey, ...Object.values(target.provider.headers)] : Object.values(target.provider.headers));
  return withStatus(target.adapter.errorFromResponse(status, safe, headers), status);
}

/**
 * As in streamReader (chunk-reader.ts): an adapter that cannot read the body means a malformed upstream answer (502).
 * Arguments, not a closure: this runs for every JSON answer.
 */
export function readCompletion(target: Target, json: unknown, ctx: AdapterContext): ChatCompletion {
  try {
    return target.adapter.chatResponse(json, ctx);
  } catch (err) {
    throw unreadable(err, 'upstream sent a malformed response');
  }
}

/** What an adapter threw reading the upstream's answer: its own GatewayError, or 502 upstream_malformed. */
export function unreadable(err: unknown, message: string): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_malformed', message, cause: err });
}

export function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw withStatus(
      new GatewayError({
        status: 502,
        type: 'upstream_error',
        code: 'upstream_malformed',
        retryable: true,
        message: text ? 'upstream sent invalid JSON' : 'upstream sent an empty body',
      }),
      status,
    );
  }
}

export function withStatus(err: GatewayError, status: number): GatewayError {
  return Object.assign(err, { upstreamStatus: status });
}

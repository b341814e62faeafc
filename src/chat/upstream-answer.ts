// What an upstream answered, read: a JSON body parsed through the adapter, an error status mapped by
// the adapter (our credentials cut from its text), an unreadable answer as 502 upstream_malformed.
import { GatewayError } from '../errors.js';
import type { ChatCompletion } from '../openai/types.js';
import type { Target } from './targets.js';
import { redactText, urlSecrets } from '../secrets/redact.js';
import type { ProviderConfig } from '../config-schema.js';

export type AdapterContext = Parameters<Target['adapter']['chatResponse']>[1];

/**
 * What counts as our credentials in an upstream's text: the attempt's provider key, the values of
 * the provider's configured headers (credentials set there) and those its base URL carries (userinfo,
 * query values: `https://u:…@host/v1`, `?api-key=…`). Some upstreams quote what they were sent
 * ("Incorrect API key provided: sk-…", a 404 naming the path and query); every path that passes
 * their text on to a client or the ledger (error statuses, in-stream error events, token counts)
 * cuts these out.
 */
export const providerSecrets = (target: Target, apiKey: string | undefined): (string | undefined)[] => [
  apiKey,
  ...Object.values(target.provider.headers),
  ...baseUrlSecrets(target.provider),
];

/** A provider's base URL's credentials, read once per provider (count_tokens asks on every call). */
const baseUrlCredentials = new WeakMap<ProviderConfig, readonly string[]>();
function baseUrlSecrets(provider: ProviderConfig): readonly string[] {
  let secrets = baseUrlCredentials.get(provider);
  if (secrets === undefined) baseUrlCredentials.set(provider, (secrets = urlSecrets(provider.baseUrl)));
  return secrets;
}

/** An error status from the upstream, as the adapter maps it, with our credentials cut from its text. */
export function errorAnswer(
  target: Target,
  apiKey: string | undefined,
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
): GatewayError {
  // The error text goes to the client and the ledger: our credentials and URL credentials cut out first.
  const safe = redactText(text, providerSecrets(target, apiKey));
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

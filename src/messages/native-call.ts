// One upstream attempt of a pass-through Messages call: the client's path, headers and body go to a
// provider that speaks Messages; the answer comes back as the upstream's own JSON text, or as its
// SSE events with their raw data (and comment lines) for the relay. Errors keep the upstream's
// status and body (rawUpstream) so the route can return them unmodified.
import { GatewayError } from '../errors.js';
import { missingKeyError, type Target } from '../chat/targets.js';
import { pickKey } from '../chat/pick-key.js';
import { parseJson, withStatus, type AttemptResult, type LlmCallDeps } from '../chat/llm-call.js';
import { networkError, readText, type UpstreamResponse } from '../upstream/client.js';
import { parseSseWithComments } from '../upstream/sse-parser.js';
import { withRawError } from '../wire/messages/errors.js';
import { redactValues } from '../secrets/redact.js';
import type { Message } from '../wire/messages/types.js';
import { mapUsage } from '../wire/messages/usage.js';

export interface NativeCallInput {
  path: string;
  headers: Record<string, string>;
  stream: boolean;
  signal: AbortSignal;
  /** The body for this attempt (its output cap is the attempt's own). */
  body: string;
}

/** A relayed stream item: an event with its raw data text, or a comment line. */
export type RelayItem = { type: string; data: string } | { comment: string };

export type NativeOutcome =
  | { kind: 'json'; target: Target; text: string; message: Message }
  | { kind: 'stream'; target: Target; items: AsyncGenerator<RelayItem>; handle: { finish(result: AttemptResult): void } };

/** Upstream headers an Anthropic client may act on, kept on a relayed error. */
const ERROR_HEADERS = ['content-type', 'retry-after', 'request-id', 'x-should-retry', 'anthropic-ratelimit-requests-reset'];

export async function nativeOnce(
  deps: LlmCallDeps,
  input: NativeCallInput,
  target: Target,
  handle: { finish(result: AttemptResult): void },
): Promise<NativeOutcome> {
  if (target.missingKeyVars) throw missingKeyError(target);
  const apiKey = pickKey(target.provider.keys, deps.random);
  const ctx = {
    baseUrl: target.provider.baseUrl,
    apiKey,
    model: target.model,
    defaultMaxTokens: target.provider.defaultMaxTokens,
    headers: target.provider.headers,
  };
  const req = target.adapter.nativeRequest!({ format: 'messages', path: input.path, body: input.body, headers: input.headers }, ctx);
  const res = await deps.upstream.send(req, { signal: input.signal, timeoutMs: target.provider.timeoutMs });
  if (res.status < 200 || res.status >= 300) {
    const text = await readText(res, req.url, input.signal).catch(() => '');
    // The provider key and the values of the provider's configured headers (credentials set there)
    // are cut out; everything else passes unmodified (Claude Code matches on the wording).
    const safe = redactValues(text, [apiKey, ...Object.values(target.provider.headers)]);
    const headers: Record<string, string> = {};
    for (const name of ERROR_HEADERS) {
      const value = res.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const err = withStatus(target.adapter.errorFromResponse(res.status, safe, res.headers), res.status);
    throw withRawError(err, { status: res.status, body: safe, headers });
  }
  if (!input.stream) {
    const text = await readText(res, req.url, input.signal);
    const message = parseJson(text, res.status) as Message;
    if (!message || typeof message !== 'object' || !Array.isArray(message.content)) throw malformed(res.status);
    handle.finish({ status: res.status, errorType: null, usage: message.usage ? mapUsage(message.usage) : undefined, mayHaveCost: true });
    return { kind: 'json', target, text, message };
  }
  return { kind: 'stream', target, items: relayItems(res, req.url, input.signal), handle };
}

function malformed(status: number): GatewayError {
  return withStatus(
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_malformed',
      retryable: true,
      message: 'upstream sent a body that is not a Messages response',
    }),
    status,
  );
}

async function* relayItems(res: UpstreamResponse, url: string, signal: AbortSignal): AsyncGenerator<RelayItem> {
  try {
    for await (const item of parseSseWithComments(res.body)) {
      if ('comment' in item) yield item;
      else yield { type: item.event ?? 'message', data: item.data };
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw networkError(err, url, signal);
  } finally {
    if (!res.body.destroyed) res.body.destroy();
  }
}

// One upstream attempt of a pass-through Responses call: the body goes to a provider that speaks
// Responses, with its own credentials; the answer comes back as the upstream's JSON text, or as its
// SSE events with their raw data (and comment lines) for the relay. An error keeps the upstream's
// status and message, the provider key cut out.
import { missingKeyError, type Target } from '../chat/targets.js';
import { pickKey } from '../chat/pick-key.js';
import { parseJson, withStatus, type AttemptResult, type LlmCallDeps } from '../chat/llm-call.js';
import { GatewayError } from '../errors.js';
import { networkError, readText, type UpstreamResponse } from '../upstream/client.js';
import { parseSseWithComments } from '../upstream/sse-parser.js';
import { redactValues } from '../secrets/redact.js';
import { turnFromResponse, type ResponsesTurn } from '../wire/responses/native-turn.js';

/** A relayed stream item: an event with its raw data text, or a comment line. */
export type RelayItem = { type: string; data: string } | { comment: string };

type Handle = { finish(result: AttemptResult): void };

export type NativeOutcome =
  | { kind: 'json'; target: Target; text: string; turn: ResponsesTurn }
  | { kind: 'stream'; target: Target; items: AsyncGenerator<RelayItem>; handle: Handle };

export interface NativeCallInput {
  /** /v1/responses, or /v1/responses/{id} for GET and DELETE. */
  path: string;
  method?: 'POST' | 'GET' | 'DELETE';
  stream: boolean;
  signal: AbortSignal;
  body: string;
}

export async function nativeOnce(deps: LlmCallDeps, input: NativeCallInput, target: Target, handle: Handle): Promise<NativeOutcome> {
  const res = await sendNative(deps, input, target);
  if (!input.stream) {
    const text = await readText(res.res, res.url, input.signal);
    const json = parseJson(text, res.res.status) as ResponsesTurn['response'];
    if (!json || typeof json !== 'object') throw malformed(res.res.status);
    const turn = turnFromResponse(json);
    handle.finish({ status: res.res.status, errorType: null, usage: turn.usage, mayHaveCost: true });
    return { kind: 'json', target, text, turn };
  }
  return { kind: 'stream', target, items: relayItems(res.res, res.url, input.signal), handle };
}

/** Sends one request to the target's Responses endpoint; a non-2xx answer is thrown as the upstream's error. */
export async function sendNative(
  deps: LlmCallDeps,
  input: NativeCallInput,
  target: Target,
): Promise<{ res: UpstreamResponse; url: string }> {
  if (target.missingKeyVars) throw missingKeyError(target);
  const apiKey = pickKey(target.provider.keys, deps.random);
  const ctx = {
    baseUrl: target.provider.baseUrl,
    apiKey,
    model: target.model,
    defaultMaxTokens: target.provider.defaultMaxTokens,
    headers: target.provider.headers,
  };
  const req = target.adapter.nativeRequest!({ format: 'responses', path: input.path, body: input.body, headers: {} }, ctx);
  if (input.method && input.method !== 'POST') {
    req.method = input.method;
    delete (req as { body?: unknown }).body;
  }
  const res = await deps.upstream.send(req, { signal: input.signal, timeoutMs: target.provider.timeoutMs });
  if (res.status < 200 || res.status >= 300) {
    const text = await readText(res, req.url, input.signal).catch(() => '');
    const safe = redactValues(text, [apiKey, ...Object.values(target.provider.headers)]);
    throw withStatus(target.adapter.errorFromResponse(res.status, safe, res.headers), res.status);
  }
  return { res, url: req.url };
}

function malformed(status: number): GatewayError {
  return withStatus(
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_malformed',
      retryable: true,
      message: 'upstream sent a body that is not a Responses object',
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

// One LLM call of a round: the primary model, its retries, then the request's fallbacks, in order.
// Every attempt goes through `hooks` (budget reservation, ledger row, metrics) so nothing here
// knows about money or storage.
import { type ErrorKind, errorKind, GatewayError } from '../errors.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, Usage } from '../openai/types.js';
import { ClientAbortedError, networkError, type Flow, type UpstreamClient, type UpstreamStream } from '../upstream/client.js';
import { sseFeeder } from '../upstream/sse-parser.js';
import { abortSignalOf, type Cancel } from '../upstream/cancel.js';
import { missingKeyError, type Target } from './targets.js';
import { pickKey } from './pick-key.js';
import { redactText } from '../secrets/redact.js';

export interface AttemptResult {
  /** Upstream HTTP status; 0 when no response arrived (network error, timeout, client gone). */
  status: number;
  errorType: ErrorKind | null;
  /** The provider's usage for the whole call. */
  usage?: Usage | undefined;
  /** Usage seen before a stream was cut short (e.g. Anthropic's message_start input tokens). */
  partialUsage?: Usage | undefined;
  /**
   * Whether the upstream may have processed (and billed) the call: false only when it answered
   * with an error status or was never reached. Without usage, such a call is charged its reservation.
   */
  mayHaveCost: boolean;
}

/** Lifecycle of one upstream attempt, implemented by the pipeline (budget, ledger, metrics). */
export interface AttemptHandle {
  /** The request as this attempt sends it (e.g. with the output cap it reserved for). */
  prepare?(request: ChatRequest): ChatRequest;
  /** `later`: takes the attempt's effects outside the request (settlement, metrics, ledger) to run them itself (round.ts). */
  finish(result: AttemptResult, later?: FinishLater): void;
}

/** Takes an attempt's effects outside the request, to run them when the caller chooses (AttemptHandle.finish). */
export type FinishLater = (effects: () => void) => void;

export interface AttemptHooks {
  start(target: Target, attempt: number): Promise<AttemptHandle> | AttemptHandle;
}

export interface LlmCallDeps {
  upstream: UpstreamClient;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  /** First retry waits about this long; doubles each time (with jitter). */
  retryBaseMs: number;
  /** A Retry-After longer than this is not waited for: the error goes back to the client. */
  maxRetryWaitMs: number;
}

export interface LlmCallInput {
  targets: readonly Target[];
  request: ChatRequest;
  stream: boolean;
  /** The client's disconnect (or the loop's deadline). */
  signal: Cancel;
  hooks: AttemptHooks;
}

export type LlmOutcome =
  /** `text`: the upstream's own bytes, when they already are the OpenAI completion (pass-through). */
  | { kind: 'json'; target: Target; completion: ChatCompletion; text: string | undefined }
  /**
   * The caller must `read` the chunks (once: each is handed to `onChunk` as it arrives; resolves at
   * the stream's end) and then call `handle.finish` with the usage it saw.
   */
  | { kind: 'stream'; target: Target; read: ChunkReader; handle: AttemptHandle };

/**
 * Reads a streamed answer: `onChunk` runs for each chunk, synchronously, as the upstream's bytes
 * arrive. Rejects with the upstream's failure (a GatewayError), or with what `onChunk` threw.
 */
export type ChunkReader = (onChunk: (chunk: ChatCompletionChunk) => void, flow?: Flow) => Promise<void>;

export async function callLlm(deps: LlmCallDeps, input: LlmCallInput): Promise<LlmOutcome> {
  return withAttempts(deps, input.targets, input.signal, input.hooks, (target, handle) => attemptOnce(deps, input, target, handle));
}

/**
 * The retry and fallback policy, for any wire format: each target in order, each with its retries;
 * every attempt opens a handle through `hooks` (budget, ledger) and `once` performs it. The caller's
 * own mistakes (400) and a client gone end it at once; retryable failures back off and retry.
 */
export async function withAttempts<O, H extends { finish(result: AttemptResult): void }>(
  deps: LlmCallDeps,
  targets: readonly Target[],
  signal: Cancel,
  hooks: { start(target: Target, attempt: number): Promise<H> | H },
  once: (target: Target, handle: H) => Promise<O>,
): Promise<O> {
  let lastError: GatewayError | undefined;
  for (const target of targets) {
    const attempts = target.provider.maxRetries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const handle = await hooks.start(target, attempt);
      try {
        return await once(target, handle);
      } catch (err) {
        if (err instanceof ClientAbortedError) {
          handle.finish({ status: 0, errorType: 'client_aborted', mayHaveCost: mayHaveReachedUpstream(err) });
          throw err;
        }
        const gatewayError =
          err instanceof GatewayError
            ? err
            : new GatewayError({ status: 502, type: 'upstream_error', message: 'upstream call failed', cause: err });
        handle.finish({ status: statusOf(err), errorType: errorKind(gatewayError), mayHaveCost: mayHaveReachedUpstream(err) });
        // The caller's own mistake (bad request) fails the same way everywhere: no retry, no fallback.
        if (gatewayError.type === 'invalid_request_error') throw gatewayError;
        lastError = gatewayError;
        if (!gatewayError.retryable || attempt === attempts) break;
        const waitMs = backoffMs(deps, attempt, gatewayError.retryAfter);
        if (waitMs > deps.maxRetryWaitMs) break;
        await deps.sleep(waitMs, abortSignalOf(signal)).catch(() => {
          throw new ClientAbortedError('client aborted during retry wait');
        });
      }
    }
  }
  throw lastError ?? new GatewayError({ status: 502, type: 'upstream_error', message: 'no upstream to call' });
}

function statusOf(err: unknown): number {
  return (err as { upstreamStatus?: number }).upstreamStatus ?? 0;
}

/** Failures to connect at all: the request never left. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a failed attempt may still have been processed and billed upstream. An error status is
 * not billed, nor is a connection that never opened; a timeout, a reset after sending, a client
 * gone mid-call or a 2xx with an unreadable body may be.
 */
export function mayHaveReachedUpstream(err: unknown): boolean {
  const status = statusOf(err);
  if (status > 0) return status >= 200 && status < 300;
  if (err instanceof GatewayError) {
    if (err.code === 'provider_key_missing') return false;
    const cause = err.cause as { code?: string; cause?: { code?: string } } | undefined;
    const code = cause?.code ?? cause?.cause?.code ?? '';
    if (err.code === 'upstream_unreachable' && NOT_SENT.has(code)) return false;
  }
  return true;
}

/** Exponential backoff with full jitter; an upstream's Retry-After wins when it is longer. */
export function backoffMs(deps: Pick<LlmCallDeps, 'retryBaseMs' | 'random'>, attempt: number, retryAfterSec?: number): number {
  const exp = deps.retryBaseMs * 2 ** (attempt - 1);
  const jittered = exp / 2 + deps.random() * (exp / 2);
  return retryAfterSec === undefined ? jittered : Math.max(jittered, retryAfterSec * 1000);
}

async function attemptOnce(deps: LlmCallDeps, input: LlmCallInput, target: Target, handle: AttemptHandle): Promise<LlmOutcome> {
  if (target.missingKeyVars) throw missingKeyError(target);
  const ctx = {
    baseUrl: target.provider.baseUrl,
    apiKey: pickKey(target.provider.keys, deps.random),
    model: target.model,
    defaultMaxTokens: target.provider.defaultMaxTokens,
    headers: target.provider.headers,
  };
  const request = handle.prepare ? handle.prepare(input.request) : input.request;
  // Copied only when `stream` must change: the round's request already carries it (round.ts), and
  // no adapter writes to the request it is given.
  const req = target.adapter.chatRequest(
    request.stream === input.stream ? request : Object.assign({}, request, { stream: input.stream }),
    ctx,
  );
  const opts = { signal: input.signal, timeoutMs: target.provider.timeoutMs };
  if (!input.stream) {
    // A JSON answer is read whole: collected by the client, without a response stream.
    const answer = await deps.upstream.sendText(req, opts);
    if (answer.status < 200 || answer.status >= 300) throw errorAnswer(target, ctx.apiKey, answer.status, answer.text, answer.headers);
    return jsonOutcome(target, ctx, handle, answer.status, answer.text);
  }
  // The answer's chunks go straight into the SSE reader, without a response stream.
  const answer = await deps.upstream.sendStream(req, opts);
  if (answer.status < 200 || answer.status >= 300)
    throw errorAnswer(target, ctx.apiKey, answer.status, await answer.text(), answer.headers);
  return { kind: 'stream', target, handle, read: streamReader(target, answer, ctx, req.url, input.signal) };
}

type AdapterContext = Parameters<Target['adapter']['chatResponse']>[1];

function jsonOutcome(target: Target, ctx: AdapterContext, handle: AttemptHandle, status: number, text: string): LlmOutcome {
  const completion = readCompletion(target, parseJson(text, status), ctx);
  handle.finish({ status, errorType: null, usage: completion.usage, mayHaveCost: true });
  return { kind: 'json', target, completion, text: target.adapter.canonicalResponses ? text : undefined };
}

/** An error status from the upstream, as the adapter maps it, with our credentials cut from its text. */
function errorAnswer(
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
 * As in translateStream: an adapter that cannot read the body means a malformed upstream answer (502).
 * Arguments, not a closure: this runs for every JSON answer.
 */
function readCompletion(target: Target, json: unknown, ctx: AdapterContext): ChatCompletion {
  try {
    return target.adapter.chatResponse(json, ctx);
  } catch (err) {
    throw unreadable(err, 'upstream sent a malformed response');
  }
}

/** What an adapter threw reading the upstream's answer: its own GatewayError, or 502 upstream_malformed. */
function unreadable(err: unknown, message: string): GatewayError {
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

/** Reads a streamed answer: each SSE event through the adapter's translator to `onChunk`, as it arrives. */
function streamReader(
  target: Target,
  answer: UpstreamStream,
  ctx: Parameters<Target['adapter']['streamTranslator']>[0],
  url: string,
  signal: Cancel,
): ChunkReader {
  return async (onChunk, flow) => {
    const translator = target.adapter.streamTranslator(ctx);
    // A translator that throws anything but a GatewayError was handed data it could not read: the
    // upstream's fault (502 upstream_malformed), not a network failure and not a gateway crash.
    const translate = (step: () => ChatCompletionChunk[]): ChatCompletionChunk[] => {
      try {
        return step();
      } catch (err) {
        throw unreadable(err, 'upstream sent a malformed stream event');
      }
    };
    // What the consumer throws is its own failure and goes back to it as is, never as a network error.
    let consumerError: { err: unknown } | undefined;
    const deliver = (chunks: ChatCompletionChunk[]) => {
      for (const chunk of chunks) {
        try {
          onChunk(chunk);
        } catch (err) {
          consumerError = { err };
          throw err;
        }
      }
    };
    const feeder = sseFeeder((event) => deliver(translate(() => translator.push(event))));
    try {
      await answer.read((chunk) => feeder.write(chunk), flow);
      feeder.end();
      deliver(translate(() => translator.end()));
    } catch (err) {
      if (err instanceof GatewayError || (consumerError && err === consumerError.err)) throw err;
      throw networkError(err, url, signal);
    } finally {
      // Stop reading (and free the socket) when the consumer stops early; nothing after the end.
      answer.cancel();
    }
  };
}

// One upstream attempt's lifecycle (AttemptHooks: budget reservation, ledger row, metrics) and the
// retry and fallback policy around attempts, for every wire format: the primary model, its retries,
// then the request's fallbacks, in order. Nothing here knows about money or storage.
import { type ErrorKind, errorKind, GatewayError } from '../errors.js';
import type { ChatRequest, Usage } from '../openai/types.js';
import { ClientAbortedError, type UpstreamClient } from '../upstream/client.js';
import { abortSignalOf, type Cancel } from '../upstream/cancel.js';
import type { Target } from './targets.js';
import type { HostedFees } from '../governance/hosted-tools.js';

export interface AttemptResult {
  /** Upstream HTTP status; 0 when no response arrived (network error, timeout, client gone). */
  status: number;
  errorType: ErrorKind | null;
  /** The provider's usage for the whole call. */
  usage?: Usage | undefined;
  /** Usage seen before a stream was cut short (e.g. Anthropic's message_start input tokens). */
  partialUsage?: Usage | undefined;
  /** Fees of the tools the upstream ran itself, from the uses it reported with `usage` (governance/hosted-tools.ts). */
  hostedFees?: HostedFees | undefined;
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
  /**
   * Keeps the request's place among its key's calls in flight while it waits to retry; returns what
   * gives it back (right before the retry's start takes it again, with nothing in between).
   */
  holdPlace?(): (() => void) | undefined;
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

/**
 * The retry and fallback policy, for any wire format: each target in order, each with its retries;
 * every attempt opens a handle through `hooks` (budget, ledger) and `once` performs it. The caller's
 * own mistakes (400) and a client gone end it at once; retryable failures back off and retry.
 */
export async function withAttempts<O, H extends { finish(result: AttemptResult): void }>(
  deps: LlmCallDeps,
  targets: readonly Target[],
  signal: Cancel,
  hooks: { start(target: Target, attempt: number): Promise<H> | H; holdPlace?(): (() => void) | undefined },
  once: (target: Target, handle: H) => Promise<O>,
): Promise<O> {
  let lastError: GatewayError | undefined;
  for (const target of targets) {
    const attempts = target.provider.maxRetries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // A client gone (or a deadline passed) before this attempt: none is made. One that leaves while the
      // attempt is reserved (a budget store may take a while) is not sent, and costs nothing: without
      // this, the client's own check before sending threw an abort charged as "may have reached it".
      if (signal.aborted) throw new ClientAbortedError('client aborted before the attempt');
      const handle = await hooks.start(target, attempt);
      if (signal.aborted) {
        handle.finish({ status: 0, errorType: 'client_aborted', mayHaveCost: false });
        throw new ClientAbortedError('client aborted before the attempt was sent');
      }
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
        // The attempt gave its slot of the key's calls in flight back; the request keeps one while it
        // waits, so another call of the key cannot take it and have the retry refused (429) midway.
        const givePlaceBack = hooks.holdPlace?.();
        try {
          await deps.sleep(waitMs, abortSignalOf(signal)).catch(() => {
            throw new ClientAbortedError('client aborted during retry wait');
          });
        } finally {
          // Synchronously before the retry's start takes a slot again (nothing awaits in between).
          givePlaceBack?.();
        }
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

// One AbortSignal for a request that fires on client disconnect, on channel cancel, or at a
// deadline. Cheaper than AbortSignal.any + AbortSignal.timeout per request (one controller, one
// timer, cleared as soon as the request ends), and nothing outlives the request.

import { type Cancel, offCancel, onCancel } from '../upstream/cancel.js';

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Aborts now (e.g. the SSE channel was cancelled). */
  abort(): void;
  /** Clears the timer and listeners; call when the request is done. */
  dispose(): void;
}

export function linkSignal(parent: Cancel, timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (parent.aborted) controller.abort();
  else onCancel(parent, abort);
  const timer = timeoutMs === undefined ? undefined : setTimeout(abort, timeoutMs);
  timer?.unref?.();
  return {
    signal: controller.signal,
    abort,
    dispose() {
      if (timer) clearTimeout(timer);
      offCancel(parent, abort);
    },
  };
}

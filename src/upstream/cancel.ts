// What cancels an upstream call: an AbortSignal, or a Disconnect (the chat route's client-gone
// flag). The chat route used to make an AbortController per request and read its signal: an
// EventTarget, and an 'abort' listener added and removed by every upstream call, which is several
// µs of the main thread's CPU per request (bench/README.md, "Where the time goes"). A Disconnect is
// a flag and one callback slot; it makes a real AbortSignal only when something asks for one (a
// retry's wait, a tool call, a streamed call through undici's request()), or never.

/** Fires once when the client has gone. Cheap until someone needs an AbortSignal of it. */
export class Disconnect {
  aborted = false;
  private listener: (() => void) | undefined;
  private controller: AbortController | undefined;

  /** The client went away: runs the listeners and aborts the signal, if one was made. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listener = this.listener;
    this.listener = undefined;
    this.controller?.abort();
    listener?.();
  }

  /** An AbortSignal that fires with this (already aborted if it has); made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Runs `fn` once on abort. One slot (the upstream call in flight); any further ones go through the signal. */
  onAbort(fn: () => void): void {
    if (this.listener === undefined) this.listener = fn;
    else this.signal.addEventListener('abort', fn, { once: true });
  }

  offAbort(fn: () => void): void {
    if (this.listener === fn) this.listener = undefined;
    else this.controller?.signal.removeEventListener('abort', fn);
  }
}

export type Cancel = AbortSignal | Disconnect;

/** Runs `fn` once when `cancel` fires (not if it already has: check `aborted` first). */
export function onCancel(cancel: Cancel, fn: () => void): void {
  if (cancel instanceof Disconnect) cancel.onAbort(fn);
  else cancel.addEventListener('abort', fn, { once: true });
}

export function offCancel(cancel: Cancel, fn: () => void): void {
  if (cancel instanceof Disconnect) cancel.offAbort(fn);
  else cancel.removeEventListener('abort', fn);
}

/** A real AbortSignal for `cancel`, for APIs that take nothing else. */
export function abortSignalOf(cancel: Cancel): AbortSignal {
  return cancel instanceof Disconnect ? cancel.signal : cancel;
}

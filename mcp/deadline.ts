// A call's time limit that stops while the caller is answering the server's question: a user filling
// in an elicitation form is not the tool being slow. `signal` aborts once `ms` of running time
// have passed, or when the caller's own signal (follow) aborts, with its reason: one signal for
// the SDK without AbortSignal.any, which on Node 20 costs a weak-ref registration and ~10 µs per
// call (issue 20 profile).
import type { ActiveCall } from './call-context.js';

// The SDK's own per-request timer cannot pause, so it is set out of the way and this one decides.
export const NO_SDK_TIMEOUT = 2_147_483_647;

export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private remaining: number;
  private startedAt = 0;
  private readonly unwatch: () => void;
  private unfollow: (() => void) | undefined;
  expired = false;

  constructor(
    ms: number,
    call: ActiveCall,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.remaining = ms;
    this.unwatch = call.onWaiting((waiting) => (waiting ? this.pause() : this.resume()));
    this.resume();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Also aborts (with the same reason, `expired` staying false) when `caller` does. */
  follow(caller: AbortSignal): void {
    if (caller.aborted) {
      this.controller.abort(caller.reason);
      return;
    }
    const abort = () => this.controller.abort(caller.reason);
    caller.addEventListener('abort', abort, { once: true });
    this.unfollow = () => caller.removeEventListener('abort', abort);
  }

  private resume(): void {
    if (this.expired || this.timer) return;
    this.startedAt = this.now();
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error('the call timed out'));
    }, this.remaining);
  }

  private pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = Math.max(0, this.remaining - (this.now() - this.startedAt));
  }

  /** Running time not used yet: what the call could still have taken. */
  left(): number {
    return this.timer ? Math.max(0, this.remaining - (this.now() - this.startedAt)) : this.remaining;
  }

  clear(): void {
    this.unwatch();
    this.unfollow?.();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

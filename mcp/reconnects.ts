// How a lost or failed MCP server connection is tried again: when (capped exponential backoff,
// initialMs doubling up to maxMs, reset by a connection that succeeds) and on which protocol era
// (the one the server was last found to speak, for a while).
import type { PriorDiscovery } from '@modelcontextprotocol/client';
import { outsideCalls } from './call-context.js';

export class ReconnectBackoff {
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly backoff: { initialMs: number; maxMs: number },
    private readonly reconnect: () => void,
  ) {}

  /** Schedules the next attempt (replacing any scheduled one), each one twice as late as the last. */
  schedule(): void {
    const { initialMs, maxMs } = this.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempts);
    this.attempts++;
    clearTimeout(this.timer);
    // Outside any tool call: the connection outlives whichever call noticed the server was gone.
    this.timer = outsideCalls(() => setTimeout(this.reconnect, delay));
    // Reconnect timers alone must not keep the process alive.
    this.timer.unref();
  }

  /** A connection succeeded: the next loss starts from initialMs again. */
  succeeded(): void {
    this.attempts = 0;
  }

  /** No attempt pending (one starting now, or the link stopping). */
  cancel(): void {
    clearTimeout(this.timer);
  }
}

// The era a server was found to speak is reused on reconnects for this long (a stdio server is
// probed by starting a second process, and a reconnect should not pay for that); after it, the
// next connection probes again, so a server upgraded to a newer revision is noticed.
const VERDICT_TTL_MS = 60 * 60_000;

interface Verdict {
  prior: PriorDiscovery;
  /** When it was probed (not when it was last reused). */
  at: number;
}

export class RememberedEra {
  private verdict: Verdict | undefined;

  constructor(private readonly now: () => number) {}

  /** The verdict for a connection attempt, if one is fresh; forgotten until the attempt succeeds. */
  take(): Verdict | undefined {
    const remembered = this.verdict && this.now() - this.verdict.at < VERDICT_TTL_MS ? this.verdict : undefined;
    // A connection that failed on a remembered era probes afresh next time.
    this.verdict = undefined;
    return remembered;
  }

  /** The attempt that took `taken` connected, finding `prior`. */
  keep(prior: PriorDiscovery, taken: Verdict | undefined): void {
    this.verdict = { prior, at: taken?.at ?? this.now() };
  }
}

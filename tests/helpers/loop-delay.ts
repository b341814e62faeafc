// How long the event loop stalled while `work` ran: the isolation tests' measure of one request
// delaying the others (README, "Guarantees": Isolation).
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Runs `work` while sampling the event loop; returns the worst delay seen, in ms. */
export async function worstLoopDelayMs(work: () => Promise<void>): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  try {
    await work();
  } finally {
    h.disable();
  }
  return h.max / 1e6;
}

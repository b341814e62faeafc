// Durations the gateway waits with a timer. Node's timers hold at most 2^31 - 1 ms (~24.8 days): a
// longer delay fires after 1 ms (with a warning), so a call timeout of a year would time every call out at once.
import { z } from 'zod';

export const MAX_TIMER_MS = 2_147_483_647;

/** A config duration some timer waits for: a positive whole number of ms, at most MAX_TIMER_MS. */
export const timerMs = () =>
  z.number().int().positive().max(MAX_TIMER_MS, `at most ${MAX_TIMER_MS} ms (about 24.8 days), the longest a timer can wait`);

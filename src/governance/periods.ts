// Budget periods as calendar boundaries in UTC. A budget's spend is keyed by its period start,
// so crossing a boundary starts the new period from zero without any reset job.
import type { Budget } from '../config-schema.js';

export type Period = Budget['period'];

export interface PeriodBounds {
  /** Epoch ms, inclusive. 0 for 'none' (all time). */
  start: number;
  /** Epoch ms, exclusive. null for 'none'. */
  end: number | null;
}

const DAY_MS = 86_400_000;

export function periodBounds(period: Period, now: number): PeriodBounds {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const dayStart = Date.UTC(y, m, d.getUTCDate());
  switch (period) {
    case 'day':
      return { start: dayStart, end: dayStart + DAY_MS };
    case 'week': {
      // ISO weeks start on Monday; getUTCDay() is 0 for Sunday.
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      const start = dayStart - sinceMonday * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case 'month':
      // Date.UTC normalises month 12 to January of the next year.
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
    case 'none':
      return { start: 0, end: null };
  }
}

// Parses the window strings of rate limits and tool limits ("30s", "1m", "1h", "1d", "500ms").

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WINDOW = /^(\d+)(ms|s|m|h|d)$/;

export function parseWindowMs(spec: string): number {
  const m = WINDOW.exec(spec);
  if (!m) throw new Error(`invalid window "${spec}": expected like "30s", "1m", "1h" or "1d"`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (!(ms > 0)) throw new Error(`invalid window "${spec}": must be longer than zero`);
  return ms;
}

// Display formatting shared by the dashboard pages. Unknown costs are never shown as $0.
const UNKNOWN_COST = 'unknown';

export function formatCost(usd: number | null | undefined, unknown = false): string {
  if (usd === null || usd === undefined) return unknown || usd === null ? UNKNOWN_COST : '—';
  const s = usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`;
  return unknown ? `${s} + unknown` : s;
}

export function formatTime(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US');
}

/** Pretty-prints JSON text for display; other text is returned as is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// Turns the measured figures into target verdicts and a markdown table.

export interface Verdict {
  target: string;
  limit: string;
  value: string;
  pass: boolean | null;
}

export const us = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} µs` : 'n/a');
export const rps = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} req/s` : 'n/a');
export const mb = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MB`);
export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');

export function verdictMark(v: Verdict): string {
  return v.pass === null ? 'N/A' : v.pass ? 'PASS' : 'FAIL';
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

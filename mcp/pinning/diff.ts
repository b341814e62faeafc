// A readable diff of two tool definitions for the admin: pretty-printed canonical JSON compared
// line by line (LCS), plus the top-level fields that differ. Admin-only, never on the hot path.
import { canonicalJson } from './canonical.js';

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface DefinitionDiff {
  /** Top-level fields whose value differs: `description`, `inputSchema`, … */
  changedFields: string[];
  lines: DiffLine[];
  /** The diff as unified-style text (`-`/`+`/` ` prefixes). */
  text: string;
}

// Definitions are small; this bounds the LCS table for a pathological one (a huge schema).
const MAX_CELLS = 4_000_000;

const parse = (json: string | null): Record<string, unknown> => (json === null ? {} : (JSON.parse(json) as Record<string, unknown>));
const pretty = (value: Record<string, unknown>): string[] => (Object.keys(value).length === 0 ? [] : canonicalJson(value, 2).split('\n'));

export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  }
  // lcs[i][j]: longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ op: '-', text: a[i++]! });
    } else {
      out.push({ op: '+', text: b[j++]! });
    }
  }
  while (i < a.length) out.push({ op: '-', text: a[i++]! });
  while (j < b.length) out.push({ op: '+', text: b[j++]! });
  return out;
}

/** Old (approved; null if never) vs new (pending) canonical definition JSON. */
export function diffDefinitions(oldJson: string | null, newJson: string | null): DefinitionDiff {
  const before = parse(oldJson);
  const after = parse(newJson);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changedFields = fields.filter((f) => canonicalJson(before[f]) !== canonicalJson(after[f]));
  const lines = diffLines(pretty(before), pretty(after));
  return { changedFields, lines, text: lines.map((l) => `${l.op} ${l.text}`).join('\n') };
}

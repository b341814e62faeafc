// Glob matching for model patterns, tool allow/deny lists, tool limits and x-tollgate-tools.
// Only `*` (any run of characters, including "/" and "__") and `?` (one character) are special;
// everything else is literal and the whole name must match (anchored).
//
// No regular expressions: a glob like `*************#` compiled to a backtracking RegExp costs
// exponential time on a near-miss, on the event loop, for every tenant (issue 15). Here a glob is
// split at its stars into segments; the first must sit at the start, the last at the end, and the
// middle ones are placed greedily, each at its leftmost occurrence after the previous one — which
// is correct for star-separated segments (any later placement leaves less room, never more) and
// never backtracks. Finding a segment is String.indexOf when it is literal and a bit-parallel
// shift-and scan when it holds `?`: O(name × ⌈segment/32⌉). So one match costs
// O(|name| × ⌈|glob|/32⌉ + |glob|), and lengths are capped where names and patterns come in.

/**
 * The longest tool, prompt or model name matched against globs. Longer names are refused before any
 * matching (policy.ts), so a name from a model or an /mcp client cannot make matching expensive.
 */
export const MAX_NAME_LENGTH = 256;

export type Matcher = (name: string) => boolean;

const NEVER: Matcher = () => false;
const ALWAYS: Matcher = () => true;

/** Finds `seg` in `name` starting at or after `from`, ending at or before `end`; -1 if absent. */
type SegmentFinder = (name: string, from: number, end: number) => number;

interface Segment {
  length: number;
  /** Whether `seg` matches `name` exactly at `at` (O(length)). */
  at(name: string, at: number): boolean;
  find: SegmentFinder;
}

function literalSegment(text: string): Segment {
  return {
    length: text.length,
    at: (name, at) => name.startsWith(text, at),
    find: (name, from, end) => {
      const i = name.indexOf(text, from);
      return i >= 0 && i + text.length <= end ? i : -1;
    },
  };
}

/** A segment with `?`: shift-and over 32-bit words (the state of every partial match at once). */
function wildSegment(text: string): Segment {
  const length = text.length;
  const words = Math.ceil(length / 32);
  const any = new Uint32Array(words);
  for (let i = 0; i < length; i++) if (text[i] === '?') any[i >>> 5]! |= 1 << (i & 31);
  const masks = new Map<number, Uint32Array>();
  for (let i = 0; i < length; i++) {
    if (text[i] === '?') continue;
    const code = text.charCodeAt(i);
    let m = masks.get(code);
    if (!m) masks.set(code, (m = Uint32Array.from(any)));
    m[i >>> 5]! |= 1 << (i & 31);
  }
  const lastWord = words - 1;
  const lastBit = 1 << ((length - 1) & 31);
  const state = new Uint32Array(words);
  return {
    length,
    at: (name, at) => {
      if (at + length > name.length) return false;
      for (let i = 0; i < length; i++) if (text[i] !== '?' && text.charCodeAt(i) !== name.charCodeAt(at + i)) return false;
      return true;
    },
    find: (name, from, end) => {
      state.fill(0);
      for (let i = from; i < end; i++) {
        const mask = masks.get(name.charCodeAt(i)) ?? any;
        for (let w = lastWord; w > 0; w--) state[w] = ((state[w]! << 1) | (state[w - 1]! >>> 31)) & mask[w]!;
        state[0] = ((state[0]! << 1) | 1) & mask[0]!;
        if (state[lastWord]! & lastBit) return i - length + 1;
      }
      return -1;
    },
  };
}

const segment = (text: string): Segment => (text.includes('?') ? wildSegment(text) : literalSegment(text));

/** A matcher for one glob; linear in the name for a given glob (see the top of this file). */
export function compileGlob(glob: string): Matcher {
  if (!glob.includes('*')) {
    if (!glob.includes('?')) return (name) => name === glob;
    const whole = segment(glob);
    return (name) => name.length === glob.length && whole.at(name, 0);
  }
  const parts = glob.split('*');
  if (parts.every((p) => p === '')) return ALWAYS;
  const head = segment(parts[0]!);
  const tail = segment(parts[parts.length - 1]!);
  const middle = parts
    .slice(1, -1)
    .filter((p) => p !== '')
    .map(segment);
  const fixed = head.length + tail.length;
  return (name) => {
    if (name.length < fixed + middle.reduce((n, s) => n + s.length, 0)) return false;
    if (!head.at(name, 0)) return false;
    const tailAt = name.length - tail.length;
    if (!tail.at(name, tailAt)) return false;
    let pos = head.length;
    for (const seg of middle) {
      const i = seg.find(name, pos, tailAt);
      if (i < 0) return false;
      pos = i + seg.length;
    }
    return true;
  };
}

/** One matcher for a list of globs: true when any of them matches. An empty list matches nothing. */
export function compileGlobs(list: readonly string[]): Matcher {
  if (list.length === 0) return NEVER;
  if (list.some((g) => /^\**$/.test(g) && g !== '')) return ALWAYS;
  // Plain names (the common case for tool lists) are one Set lookup together.
  const exact = new Set(list.filter((g) => !g.includes('*') && !g.includes('?')));
  const globs = list.filter((g) => !exact.has(g)).map(compileGlob);
  if (globs.length === 0) return (name) => exact.has(name);
  return (name) => {
    if (exact.has(name)) return true;
    for (const m of globs) if (m(name)) return true;
    return false;
  };
}

/**
 * Whether `glob` can match at least one non-empty continuation of `prefix` (i.e. some string
 * `prefix + x`, x non-empty). Used to tell "this provider is blocked altogether" from "this model
 * is blocked": `openai/*` can match under `openai/` but never under `anthropic/`.
 * A tiny NFA walk over the pattern: states are positions in the glob.
 */
export function globCanMatchUnder(glob: string, prefix: string): boolean {
  const p = [...glob];
  const closure = (states: Set<number>): Set<number> => {
    for (const i of [...states]) {
      let j = i;
      while (p[j] === '*') states.add(++j);
    }
    return states;
  };
  let states = closure(new Set([0]));
  for (const ch of prefix) {
    const next = new Set<number>();
    for (const i of states) {
      const tok = p[i];
      if (tok === undefined) continue;
      if (tok === '*') next.add(i);
      else if (tok === '?' || tok === ch) next.add(i + 1);
    }
    states = closure(next);
    if (states.size === 0) return false;
  }
  // A state before the end of the pattern can still consume at least one more character.
  for (const i of states) if (i < p.length) return true;
  return false;
}

// Glob matching for model patterns, tool allow/deny lists and tool limits.
// Only `*` (any run of characters, including "/" and "__") and `?` (one character) are special;
// everything else is literal and the whole name must match (anchored). Lists are compiled to one
// RegExp once, so the hot path is a single regex test per name.

const SPECIAL = /[.+^${}()|[\]\\]/g;

/** The regex source for one glob, without anchors. */
function globSource(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(SPECIAL, '\\$&');
  }
  return out;
}

export function globToRegExp(glob: string): RegExp {
  // `s` so that `*` also spans newlines: a name can never sneak past a pattern with one.
  return new RegExp(`^(?:${globSource(glob)})$`, 's');
}

export type Matcher = (name: string) => boolean;

const NEVER: Matcher = () => false;
const ALWAYS: Matcher = () => true;

/** One matcher for a list of globs: true when any of them matches. An empty list matches nothing. */
export function compileGlobs(list: readonly string[]): Matcher {
  if (list.length === 0) return NEVER;
  if (list.includes('*')) return ALWAYS;
  const re = new RegExp(`^(?:${list.map(globSource).join('|')})$`, 's');
  return (name) => re.test(name);
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

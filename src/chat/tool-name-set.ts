// The names in a tool list, as a Set. governance's toolsFor returns the same array while the tool
// set and the key's policy are unchanged, so each set is built once per list (chat loop and /mcp).
import type { ToolEntry } from './ports.js';

const nameSets = new WeakMap<readonly ToolEntry[], ReadonlySet<string>>();
export const NO_NAMES: ReadonlySet<string> = new Set();

export function toolNameSet(list: readonly ToolEntry[]): ReadonlySet<string> {
  if (list.length === 0) return NO_NAMES;
  let names = nameSets.get(list);
  if (!names) nameSets.set(list, (names = new Set(list.map((t) => t.name))));
  return names;
}

// Bounds the nesting depth of a parsed request body. JSON.parse accepts arbitrarily deep input
// (it is iterative), but everything after it that recurses — JSON.stringify of the upstream
// request, schema compilers, hashing — overflows the stack on 100k-level bodies and would turn a
// hostile request into a 5xx. No real chat request nests anywhere near this deep.
export const MAX_JSON_DEPTH = 128;

/**
 * True when `value` nests objects/arrays deeper than `max` levels. Recursive, but never more than
 * `max` + 1 calls deep, so it cannot overflow itself; it allocates nothing (the walk with a stack
 * of [node, depth] pairs and Object.values per object was about 1% of the chat path's allocations).
 */
export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  return deeper(value, 1, max);
}

function deeper(node: unknown, depth: number, max: number): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (depth > max) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (child !== null && typeof child === 'object' && deeper(child, depth + 1, max)) return true;
    }
    return false;
  }
  const o = node as Record<string, unknown>;
  for (const key in o) {
    if (!Object.hasOwn(o, key)) continue;
    const child = o[key];
    if (child !== null && typeof child === 'object' && deeper(child, depth + 1, max)) return true;
  }
  return false;
}

// Bounds the nesting depth of a parsed request body. JSON.parse accepts arbitrarily deep input
// (it is iterative), but everything after it that recurses — JSON.stringify of the upstream
// request, schema compilers, hashing — overflows the stack on 100k-level bodies and would turn a
// hostile request into a 5xx. No real chat request nests anywhere near this deep.
export const MAX_JSON_DEPTH = 128;

/** True when `value` nests objects/arrays deeper than `max` levels. Iterative: cannot overflow itself. */
export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

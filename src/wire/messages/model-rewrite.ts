// Pass-through bodies keep the client's bytes: only the top-level "model" value is replaced, found by
// one linear scan of the JSON text (strings and nesting tracked; nothing re-serialised), so thinking
// signatures, cache_control, key order, number spelling and unknown fields reach the upstream as
// sent. Pure.

/** The body with its top-level "model" string replaced; undefined when there is none to replace. */
export function rewriteModel(json: string, model: string): string | undefined {
  const span = topLevelStringSpan(json, 'model');
  if (!span) return undefined;
  return json.slice(0, span.start) + JSON.stringify(model) + json.slice(span.end);
}

/** [start, end) of the JSON string value of a top-level key (quotes included). */
export function topLevelStringSpan(json: string, key: string): { start: number; end: number } | undefined {
  let depth = 0;
  let i = 0;
  const n = json.length;
  // At depth 1 inside the top-level object, a string followed by ':' is a key.
  let expectKey = false;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(json, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        const name = json.slice(i + 1, end - 1);
        let j = end;
        while (j < n && isSpace(json.charCodeAt(j))) j++;
        if (json.charCodeAt(j) !== 0x3a /* : */) return undefined;
        j++;
        while (j < n && isSpace(json.charCodeAt(j))) j++;
        if (name === key || (name.includes('\\') && safeParse(json.slice(i, end)) === key)) {
          if (json.charCodeAt(j) !== 0x22) return undefined;
          const valueEnd = stringEnd(json, j);
          return valueEnd < 0 ? undefined : { start: j, end: valueEnd };
        }
        expectKey = false;
        i = j;
        continue;
      }
      i = end;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      expectKey = depth === 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
    i++;
  }
  return undefined;
}

/** Index just past the closing quote of the string starting at `start`, or -1. */
function stringEnd(json: string, start: number): number {
  let i = start + 1;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return -1;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// A top-level string field of a JSON object read without parsing it: the `model` a refusal's
// ledger row names when the body was refused before it was parsed (a Responses WebSocket message
// from a key over its rate limit: routes/responses-websocket-connection.ts), and where a
// pass-through body's model is replaced (messages/model-rewrite.ts). Parsing is what such a
// refusal saves: JSON.parse of 4 MiB of small items took ~50 ms of CPU (/tmp micro-benchmark, load
// ~4.5), so callers pass a bounded prefix of the text and this reads no further than it.
//
// Unlike duplicate-keys.ts's scan, the text may be anything (not JSON, cut short, a prefix): this
// never throws and answers undefined for what it cannot read. One pass at the top level, strings
// skipped with indexOf, so a name inside a nested object or in a string's text never counts.

/** How much of a refused body's start its callers read the model from (64 KiB; characters or bytes). */
export const MODEL_WITHIN_CHARS = 64 * 1024;

/**
 * The value of the first top-level key `name` of the object `json` if it is a string (at most
 * `maxLength` characters of it), else undefined: not found within the text, not a string, or the
 * text is not an object.
 */
export function topLevelString(json: string, name: string, maxLength = 256): string | undefined {
  const span = topLevelStringSpan(json, name);
  return span && decode(json, span.start, span.end)?.slice(0, maxLength);
}

/**
 * [start, end) of the JSON string literal (quotes included) that is the value of the first
 * top-level key `name` of the object `json`; undefined as topLevelString says. What a pass-through
 * body's model rewrite replaces (messages/model-rewrite.ts), so the bytes around it stay the client's.
 */
export function topLevelStringSpan(json: string, name: string): { start: number; end: number } | undefined {
  const n = json.length;
  let i = skipSpace(json, 0);
  if (json.charCodeAt(i) !== 0x7b /* { */) return undefined;
  let depth = 0;
  // At depth 1, the string after '{' or ',' is a key.
  let expectKey = false;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(json, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        expectKey = false;
        if (decode(json, i, end) === name) {
          let j = skipSpace(json, end);
          if (json.charCodeAt(j) !== 0x3a /* : */) return undefined;
          j = skipSpace(json, j + 1);
          if (json.charCodeAt(j) !== 0x22) return undefined;
          const valueEnd = stringEnd(json, j);
          return valueEnd < 0 ? undefined : { start: j, end: valueEnd };
        }
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b /* [ */) {
      depth++;
      expectKey = depth === 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (--depth <= 0) return undefined; // the object ended (or the text is not JSON)
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
    i++;
  }
  return undefined;
}

function skipSpace(json: string, from: number): number {
  let i = from;
  for (let c = json.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = json.charCodeAt(++i));
  return i;
}

/** Index just past the closing quote of the string starting at `start`, or -1 if the text ends first. */
function stringEnd(json: string, start: number): number {
  for (let q = json.indexOf('"', start + 1); q > 0; q = json.indexOf('"', q + 1)) {
    let b = q - 1;
    while (json.charCodeAt(b) === 0x5c /* \ */) b--;
    if ((q - b) % 2 === 1) return q + 1;
  }
  return -1;
}

/** The string literal json[start, end), escapes decoded; undefined if it is not a valid one. */
function decode(json: string, start: number, end: number): string | undefined {
  const raw = json.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(json.slice(start, end)) as string;
  } catch {
    return undefined;
  }
}

// Pass-through bodies go upstream as the client's bytes (model-rewrite.ts), but the gateway reads
// them with JSON.parse, where the LAST of two equal keys wins. An upstream whose parser keeps the
// FIRST would obey a `max_tokens` (or `model`, `stream`, `messages`…) the gateway never saw: e.g.
// {"max_tokens":100000,…,"max_tokens":1} reserved for 1 token. So a governed top-level key sent
// twice is refused (duplicateKeyError) before anything is reserved or sent.
//
// Cost on ordinary bodies: one indexOf per governed key (plus one more when found) and one for
// `\u00` escapes; only a body where a key's quoted name occurs twice, or where a key could be
// spelled with a \u escape, gets the exact top-level scan (strings skipped, depth tracked), so the
// name inside a message's text or a nested object never counts. Pure; expects valid JSON (parsed first).
import { invalidRequest } from '../errors.js';

/** Governed keys with their quoted spelling, made once (the check runs per request). */
export interface GovernedKeys {
  readonly names: ReadonlySet<string>;
  readonly quoted: readonly string[];
}

// What the gateway reads to govern a pass-through: routing (model, fallbacks), the output cap
// (max_tokens, and max_completion_tokens, which clientOutputCap reads too), the input bound
// (messages, system, tools), the tools it adds or withholds (tools, tool_choice), streaming; on
// Responses also the stored conversation (previous_response_id, store) and the input items it
// stitches and answers approvals from (input).
export const MESSAGES_GOVERNED = governedKeys([
  'model',
  'max_tokens',
  'max_completion_tokens',
  'stream',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'fallbacks',
]);
export const RESPONSES_GOVERNED = governedKeys([
  'model',
  'max_output_tokens',
  'stream',
  'input',
  'tools',
  'tool_choice',
  'store',
  'previous_response_id',
  'fallbacks',
]);

export function governedKeys(names: readonly string[]): GovernedKeys {
  return { names: new Set(names), quoted: names.map((n) => `"${n}"`) };
}

/** The first governed key that occurs more than once at the top level of `json`, else undefined. */
export function duplicateTopLevelKey(json: string, keys: GovernedKeys): string | undefined {
  return mayRepeat(json, keys) ? scanTopLevel(json, keys.names) : undefined;
}

/** Throws the 400 for a governed key sent twice. */
export function checkDuplicateKeys(json: string, keys: GovernedKeys): void {
  const key = duplicateTopLevelKey(json, keys);
  if (key !== undefined)
    throw invalidRequest(
      `request body has the top-level key "${key}" more than once; send it once (parsers disagree on which one counts)`,
      key,
      'duplicate_key',
    );
}

function mayRepeat(json: string, keys: GovernedKeys): boolean {
  for (const q of keys.quoted) {
    const at = json.indexOf(q);
    if (at >= 0 && json.indexOf(q, at + q.length) >= 0) return true;
  }
  // Governed names are [a-z_]: an escaped spelling of one of their characters is \u005f or
  // \u006X / \u007X (either case). Other \u escapes (é, emoji, control characters) cannot be one.
  for (let at = json.indexOf('\\u00'); at >= 0; at = json.indexOf('\\u00', at + 4)) {
    const d = json.charCodeAt(at + 4);
    if (d >= 0x35 /* 5 */ && d <= 0x37 /* 7 */) return true;
  }
  return false;
}

/** The exact check: each top-level key's name (decoded when escaped), counted when governed. */
export function scanTopLevel(json: string, names: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>();
  const n = json.length;
  let depth = 0;
  // At depth 1 inside the top-level object, the string after '{' or ',' is a key (a top-level
  // array's strings are not: such a body is the schema's to refuse).
  let expectKey = false;
  const isObject = json.charCodeAt(json.search(/\S/)) === 0x7b;
  for (let i = 0; i < n; ) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(json, i);
      if (depth === 1 && expectKey) {
        expectKey = false;
        const raw = json.slice(i + 1, end - 1);
        const name = raw.includes('\\') ? (JSON.parse(json.slice(i, end)) as string) : raw;
        if (names.has(name)) {
          if (seen.has(name)) return name;
          seen.add(name);
        }
      }
      i = end;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      expectKey = depth === 1 && c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = isObject;
    }
    i++;
  }
  return undefined;
}

/** Index just past the closing quote of the string starting at `start` (valid JSON: it has one). */
function stringEnd(json: string, start: number): number {
  for (let i = start + 1; i < json.length; ) {
    const c = json.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return json.length;
}

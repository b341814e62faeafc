// Pass-through bodies go upstream as the client's bytes (model-rewrite.ts), but the gateway reads
// them with JSON.parse, where the LAST of two equal keys wins. An upstream whose parser keeps the
// FIRST would obey a `max_tokens` (or `model`, `stream`, `messages`…) the gateway never saw: e.g.
// {"max_tokens":100000,…,"max_tokens":1} reserved for 1 token. So a governed top-level key sent
// twice is refused (checkDuplicateKeys) before anything is reserved or sent.
//
// One pass over the text at the top level (strings skipped with indexOf, depth tracked), so a
// name inside a message's text or a nested object never counts; escaped spellings are decoded.
// Measured (/tmp micro-benchmark, load ~4): 1 µs for a 1.7 KiB body, 9 µs for 75 KiB of plain
// text (0.17× its JSON.parse), 55 µs for 67 KiB of text full of \" (0.6×). A cheap test first
// (indexOf of each quoted name twice) cost more than the scan: a pattern starting with `"` stops
// at every quote of the body, 401 µs for the 67 KiB body. Pure; expects valid JSON (parsed first).
import { invalidRequest } from '../errors.js';

// What the gateway reads to govern a pass-through: routing (model, fallbacks), the output cap
// (max_tokens, and max_completion_tokens, which clientOutputCap reads too), the input bound
// (messages, system, tools), the tools it adds or withholds (tools, tool_choice), streaming; on
// Responses also the stored conversation (previous_response_id, store) and the input items it
// stitches and answers approvals from (input); and what a budget refuses (Messages mcp_servers,
// Responses conversation, prompt, service_tier).
export const MESSAGES_GOVERNED: ReadonlySet<string> = new Set([
  'model',
  'max_tokens',
  'max_completion_tokens',
  'stream',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'mcp_servers',
  'fallbacks',
  // Whose code-execution container (governance/owned-containers.ts).
  'container',
]);
export const RESPONSES_GOVERNED: ReadonlySet<string> = new Set([
  'model',
  'max_output_tokens',
  'stream',
  'input',
  'tools',
  'tool_choice',
  'store',
  'previous_response_id',
  // Read under a budget (refused: stored input, a tier billed above the table's rates).
  'conversation',
  'prompt',
  'service_tier',
  'fallbacks',
]);

/** Throws the 400 for a governed key sent twice. */
export function checkDuplicateKeys(json: string, keys: ReadonlySet<string>): void {
  const key = duplicateTopLevelKey(json, keys);
  if (key !== undefined)
    throw invalidRequest(
      `request body has the top-level key "${key}" more than once; send it once (parsers disagree on which one counts)`,
      key,
      'duplicate_key',
    );
}

/** The first governed key that occurs more than once at the top level of `json`, else undefined. */
export function duplicateTopLevelKey(json: string, names: ReadonlySet<string>): string | undefined {
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

/**
 * Index just past the closing quote of the string starting at `start` (valid JSON: it has one).
 * indexOf jumps over the text (most of a big body) far faster than a loop over its characters; a
 * quote is the end unless an odd run of backslashes precedes it.
 */
function stringEnd(json: string, start: number): number {
  for (let q = json.indexOf('"', start + 1); q > 0; q = json.indexOf('"', q + 1)) {
    let b = q - 1;
    while (json.charCodeAt(b) === 0x5c /* \ */) b--;
    if ((q - b) % 2 === 1) return q + 1;
  }
  return json.length;
}

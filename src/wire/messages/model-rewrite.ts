// Pass-through bodies keep the client's bytes: only the top-level "model" value is replaced, found by
// one linear scan of the JSON text (wire/top-level-string.ts: strings and nesting tracked; nothing
// re-serialised), so thinking signatures, cache_control, key order, number spelling and unknown
// fields reach the upstream as sent. Pure.
import { topLevelStringSpan } from '../top-level-string.js';

/** The body with its top-level "model" string replaced; undefined when there is none to replace. */
export function rewriteModel(json: string, model: string): string | undefined {
  const span = topLevelStringSpan(json, 'model');
  if (!span) return undefined;
  return json.slice(0, span.start) + JSON.stringify(model) + json.slice(span.end);
}

// The shape checks behind "a broken upstream is a 502, never a crash further down": what the
// gateway reads from an OpenAI-compatible completion or chunk (choices, message or delta, content,
// tool calls, usage) must have the types it reads them as. Checked once per response or chunk, in
// one pass; anything else in the objects is left alone (compatible servers add fields).

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const optionalNumber = (v: unknown) => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));

/** Content is text, null, or (some servers) an array of parts; never a number or an object. */
const validContent = (v: unknown) => optionalString(v) || Array.isArray(v);

function validFunction(fn: unknown, complete: boolean): boolean {
  if (fn === undefined || fn === null) return !complete;
  if (!isObject(fn)) return false;
  return complete
    ? typeof fn.name === 'string' && typeof fn.arguments === 'string'
    : optionalString(fn.name) && optionalString(fn.arguments);
}

function validToolCalls(calls: unknown, complete: boolean): boolean {
  if (calls === undefined || calls === null) return true;
  if (!Array.isArray(calls)) return false;
  for (const c of calls) {
    if (!isObject(c) || !validFunction(c.function, complete) || !optionalString(c.id)) return false;
    if (!complete && typeof c.index !== 'number') return false;
  }
  return true;
}

/** Usage, when sent, has numeric counts (they feed budgets: a string would poison the sums). */
export function validUsage(usage: unknown): boolean {
  if (usage === undefined || usage === null) return true;
  if (!isObject(usage)) return false;
  if (!optionalNumber(usage.prompt_tokens) || !optionalNumber(usage.completion_tokens) || !optionalNumber(usage.total_tokens)) return false;
  const details = usage.prompt_tokens_details;
  if (details !== undefined && details !== null) {
    if (!isObject(details) || !optionalNumber(details.cached_tokens) || !optionalNumber(details.cache_creation_tokens)) return false;
  }
  return true;
}

/** A non-streamed completion: every choice has a message object with text content and complete tool calls. */
export function validCompletion(value: Record<string, unknown>): boolean {
  const choices = value.choices;
  if (!Array.isArray(choices) || !validUsage(value.usage)) return false;
  for (const c of choices) {
    if (!isObject(c) || !isObject(c.message)) return false;
    if (!validContent(c.message.content) || !validToolCalls(c.message.tool_calls, true)) return false;
  }
  return true;
}

/**
 * A stream chunk. A choice without a delta (some servers send `{index, finish_reason}` to end)
 * gets an empty one; everything else must be as the canonical types say.
 */
export function validChunk(value: Record<string, unknown>): boolean {
  const choices = value.choices;
  if (!Array.isArray(choices) || !validUsage(value.usage)) return false;
  for (const c of choices) {
    if (!isObject(c)) return false;
    if (c.delta === undefined || c.delta === null) c.delta = {};
    if (!isObject(c.delta)) return false;
    if (!validContent(c.delta.content) || !validToolCalls(c.delta.tool_calls, false)) return false;
  }
  return true;
}

// The common Responses request checked by hand: text input (a string, or message items of typed
// parts), the usual sampling fields. zod's object and union machinery cost a pass-through request
// about as much as parsing the upstream's answer did (request-schema.js 4.8% of the gateway's busy
// CPU at 64 connections, bench/pass-through-cpu.ts --surface responses --prof); chat has the same
// shortcut (src/openai/fast-chat-request.ts).
//
// This is only ever a shortcut to the answer responsesRequestSchema gives: it returns exactly what
// zod's parse returns (the same copies, keys in the same order: the schema's keys, then unknown
// ones as sent), and `undefined` for anything it does not check itself (tools, tool_choice, text,
// reasoning, include, metadata, fallbacks, items other than messages) or does not accept, so zod
// decides those and words every error. Its checks are at least as strict as the schema's.
// fast-request.test.ts compares both on generated bodies.
import { copyUnknown, hasOwn, isPlain, type Obj } from '../loose-copy.js';
import type { ResponsesRequest } from './types.js';

// responsesRequestSchema's keys, in its order (zod's output puts them first, in this order).
// Kept equal to the schema by fast-request.test.ts (this file cannot import it: the schema imports this).
export const TOP_KEYS = [
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'reasoning',
  'text',
  'store',
  'include',
  'previous_response_id',
  'stream',
  'temperature',
  'top_p',
  'user',
  'metadata',
  'fallbacks',
] as const;
const TOP = new Set<string>(TOP_KEYS);
const ITEM_KEYS: ReadonlySet<string> = new Set(['type']);
const ROLES: ReadonlySet<unknown> = new Set(['user', 'assistant', 'system', 'developer']);

const isNumberIn = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** The parsed request when it is of the common shape and valid; undefined means "ask the schema". */
export function fastResponsesRequest(body: unknown): ResponsesRequest | undefined {
  if (!isPlain(body)) return undefined;
  const out: Obj = {};
  for (const key of TOP_KEYS) {
    if (!hasOwn(body, key)) continue;
    const value = body[key];
    if (key === 'input' && typeof value !== 'string') {
      const items = copyItems(value);
      if (!items) return undefined;
      out.input = items;
    } else if (topValueOk(key, value)) out[key] = value;
    else return undefined;
  }
  if (!hasOwn(body, 'model')) return undefined;
  return copyUnknown(body, TOP, out) ? (out as ResponsesRequest) : undefined;
}

function topValueOk(key: (typeof TOP_KEYS)[number], v: unknown): boolean {
  switch (key) {
    case 'model':
      return typeof v === 'string' && v.length >= 1 && v.length <= 256;
    case 'input':
    case 'user':
      return typeof v === 'string';
    case 'instructions':
      return v === null || typeof v === 'string';
    case 'parallel_tool_calls':
    case 'store':
    case 'stream':
      return v === null || typeof v === 'boolean';
    case 'max_output_tokens':
      return v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0);
    case 'previous_response_id':
      return v === null || (typeof v === 'string' && v.length >= 1 && v.length <= 200);
    case 'temperature':
      return v === null || isNumberIn(v, 0, 2);
    case 'top_p':
      return v === null || isNumberIn(v, 0, 1);
    // Left to the schema: tools, tool_choice, reasoning, text, include, metadata, fallbacks.
    default:
      return false;
  }
}

/** Message items, each copied as zod's item schema copies it: `type` first, then the rest as sent (parts shared). */
function copyItems(value: unknown): Obj[] | undefined {
  if (!Array.isArray(value) || value.length > 10_000) return undefined;
  const out: Obj[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (!isPlain(item) || !messageOk(item)) return undefined;
    const copy: Obj = {};
    if (hasOwn(item, 'type')) copy.type = item.type;
    if (!copyUnknown(item, ITEM_KEYS, copy)) return undefined;
    out[i] = copy;
  }
  return out;
}

function messageOk(m: Obj): boolean {
  if (hasOwn(m, 'type') && m.type !== 'message') return false;
  if (!ROLES.has(m.role)) return false;
  const content = m.content;
  if (typeof content === 'string') return true;
  if (!Array.isArray(content)) return false;
  // Any object with a type passes the schema's part union: its last branch takes every typed part
  // that the others refuse (an input_text whose text is not a string too). The item's copy keeps
  // its parts as sent. Trying each branch cost zod ~1 µs a part: 100,000 image parts were ~3×
  // JSON.parse of the body (tests/isolation/wide-bodies.test.ts).
  for (const part of content) {
    if (!isPlain(part)) return false;
    const type = part.type;
    if (typeof type !== 'string' || type.length === 0) return false;
  }
  return true;
}

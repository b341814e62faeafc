// The common chat request checked by hand: text messages, the usual sampling parameters. zod's
// generic object and union machinery was the largest single item of the gateway's own code on the
// chat path (3.4% of busy CPU at 64 connections, bench/README.md "Where the time goes").
//
// This is only ever a shortcut to the answer chatRequestSchema gives: it returns exactly what
// zod's parse returns (the same copies, keys in the same order: the schema's keys, then unknown
// ones as sent), and `undefined` for anything it does not check itself (content parts, tools,
// tool_choice, fallbacks, stop lists, tool calls in history) or does not accept, so zod decides
// those and words every error. Its checks are at least as strict as the schema's.
// fast-chat-request.test.ts compares both on generated bodies.
import { copyUnknown, hasOwn, isObject, type Obj } from '../wire/loose-copy.js';
import type { ChatRequest } from './types.js';

// chatRequestSchema's keys, in its order (zod's output puts them first, in this order).
const TOP_KEYS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'user',
  'fallbacks',
] as const;
const TOP = new Set<string>(TOP_KEYS);

// Each message variant's keys, in the schema's order.
const TEXT_KEYS = ['role', 'content', 'name'];
const ASSISTANT_KEYS = ['role', 'content', 'tool_calls', 'name'];
const TOOL_KEYS = ['role', 'tool_call_id', 'content'];
const MESSAGE_KEYS: Record<string, readonly string[]> = {
  system: TEXT_KEYS,
  developer: TEXT_KEYS,
  user: TEXT_KEYS,
  assistant: ASSISTANT_KEYS,
  tool: TOOL_KEYS,
};
const KEY_SETS = new Map<readonly string[], ReadonlySet<string>>([
  [TEXT_KEYS, new Set(TEXT_KEYS)],
  [ASSISTANT_KEYS, new Set(ASSISTANT_KEYS)],
  [TOOL_KEYS, new Set(TOOL_KEYS)],
]);

const isNumberIn = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** The parsed request when it is of the common shape and valid; undefined means "ask the schema". */
export function fastChatRequest(body: unknown): ChatRequest | undefined {
  if (!isObject(body) || Object.getPrototypeOf(body) !== Object.prototype) return undefined;
  const out: Obj = {};
  for (const key of TOP_KEYS) {
    if (!hasOwn(body, key)) continue;
    const value = body[key];
    if (!topValueOk(key, value)) return undefined;
    if (key === 'messages') {
      const messages = copyMessages(value);
      if (!messages) return undefined;
      out.messages = messages;
    } else if (key === 'stream_options' && value !== null) {
      const options = copyLoose(value as Obj, ['include_usage'], SET_INCLUDE_USAGE);
      if (!options) return undefined;
      out.stream_options = options;
    } else out[key] = value;
  }
  // Required keys.
  if (!hasOwn(body, 'model') || !hasOwn(body, 'messages')) return undefined;
  return copyUnknown(body, TOP, out) ? (out as unknown as ChatRequest) : undefined;
}

const SET_INCLUDE_USAGE: ReadonlySet<string> = new Set(['include_usage']);

function topValueOk(key: (typeof TOP_KEYS)[number], v: unknown): boolean {
  switch (key) {
    case 'model':
      return typeof v === 'string' && v.length >= 1 && v.length <= 256;
    case 'messages':
      return Array.isArray(v) && v.length >= 1;
    case 'stream':
      return v === null || typeof v === 'boolean';
    case 'stream_options':
      return v === null || (isObject(v) && (!hasOwn(v, 'include_usage') || typeof v.include_usage === 'boolean'));
    case 'parallel_tool_calls':
      return typeof v === 'boolean';
    case 'max_tokens':
    case 'max_completion_tokens':
      return v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0);
    case 'temperature':
      return v === null || isNumberIn(v, 0, 2);
    case 'top_p':
      return v === null || isNumberIn(v, 0, 1);
    case 'n':
      return v === null || v === 1;
    case 'stop':
      return v === null || typeof v === 'string';
    case 'user':
      return typeof v === 'string';
    // Left to the schema: tools, tool_choice, fallbacks.
    default:
      return false;
  }
}

function copyMessages(list: unknown): Obj[] | undefined {
  const messages = list as unknown[];
  const out: Obj[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) return undefined;
    const role = m.role;
    const keys = typeof role === 'string' && Object.hasOwn(MESSAGE_KEYS, role) ? MESSAGE_KEYS[role] : undefined;
    if (!keys || !messageOk(m, role as string)) return undefined;
    const copy = copyLoose(m, keys, KEY_SETS.get(keys)!);
    if (!copy) return undefined;
    out[i] = copy;
  }
  return out;
}

function messageOk(m: Obj, role: string): boolean {
  const content = m.content;
  if (role === 'tool') {
    const id = m.tool_call_id;
    return typeof id === 'string' && id.length >= 1 && typeof content === 'string';
  }
  if (hasOwn(m, 'name') && typeof m.name !== 'string') return false;
  // Tool calls in the history are left to the schema.
  if (role === 'assistant') return !hasOwn(m, 'tool_calls') && (!hasOwn(m, 'content') || content === null || typeof content === 'string');
  return typeof content === 'string';
}

/** As a zod loose object copies: the declared keys present, in `keys` order, then the others as sent. */
function copyLoose(o: Obj, keys: readonly string[], keySet: ReadonlySet<string>): Obj | undefined {
  if (Object.getPrototypeOf(o) !== Object.prototype) return undefined;
  const out: Obj = {};
  for (const key of keys) if (hasOwn(o, key)) out[key] = o[key];
  return copyUnknown(o, keySet, out) ? out : undefined;
}

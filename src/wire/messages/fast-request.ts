// The common Messages request checked by hand: model, max_tokens, messages, system, stream, tools
// (name only is checked), tool_choice, fallbacks. zod's object machinery cost a pass-through
// request 2-6% of the gateway's busy CPU (bench/pass-through-cpu.ts --surface messages --prof, 32
// connections); Responses and chat have the same shortcut (wire/responses/fast-request.ts,
// openai/fast-chat-request.ts).
//
// This is only ever a shortcut to the answer messagesRequestSchema gives: it returns exactly what
// zod's parse returns (a new top object with the schema's keys first, in its order, then unknown
// ones as sent; new arrays for messages, system, tools and fallbacks, their elements as sent
// except tools and tool_choice, which zod copies as objects), and `undefined` for anything it does
// not accept, so zod decides those and words every error. Its checks are at least as strict as the
// schema's. parseMessagesRequest's per-message and per-block checks run after either.
// fast-request.test.ts compares both on generated bodies.
import { copyUnknown, hasOwn, isPlain, type Obj } from '../loose-copy.js';
import type { MessagesRequest } from './types.js';

// messagesRequestSchema's keys, in its order; the tool's and tool_choice's keys and tool_choice's
// types. Kept equal to the schema by fast-request.test.ts (this file cannot import it: the schema
// imports this).
export const TOP_KEYS = ['model', 'max_tokens', 'messages', 'system', 'tools', 'tool_choice', 'stream', 'fallbacks'] as const;
export const TOOL_KEYS = ['name'] as const;
export const TOOL_CHOICE_KEYS = ['type', 'name'] as const;
export const TOOL_CHOICE_TYPES = ['auto', 'any', 'tool', 'none'] as const;
const TOP = new Set<string>(TOP_KEYS);
const TOOL: ReadonlySet<string> = new Set(TOOL_KEYS);
const CHOICE: ReadonlySet<string> = new Set(TOOL_CHOICE_KEYS);
const CHOICE_TYPES: ReadonlySet<unknown> = new Set(TOOL_CHOICE_TYPES);

const isName = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 256;

/** The parsed request when it is of the common shape and valid; undefined means "ask the schema". */
export function fastMessagesRequest(body: unknown): MessagesRequest | undefined {
  if (!isPlain(body) || !hasOwn(body, 'model') || !hasOwn(body, 'messages')) return undefined;
  const out: Obj = {};
  for (const key of TOP_KEYS) {
    if (!hasOwn(body, key)) continue;
    const value = topValue(key, body[key]);
    if (value === undefined) return undefined;
    out[key] = value;
  }
  return copyUnknown(body, TOP, out) ? (out as unknown as MessagesRequest) : undefined;
}

/** The value zod's output holds for `key` (a copy where zod copies), or undefined when refused. */
function topValue(key: (typeof TOP_KEYS)[number], v: unknown): unknown {
  switch (key) {
    case 'model':
      return isName(v) ? v : undefined;
    // z.number().int() is a safe integer in zod 4; positive excludes 0.
    case 'max_tokens':
      return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;
    case 'messages':
      return Array.isArray(v) && v.length >= 1 ? copyArray(v) : undefined;
    case 'system':
      return typeof v === 'string' ? v : Array.isArray(v) ? copyArray(v) : undefined;
    case 'tools':
      return copyTools(v);
    case 'tool_choice':
      return copyToolChoice(v);
    case 'stream':
      return typeof v === 'boolean' ? v : undefined;
    case 'fallbacks':
      return Array.isArray(v) && v.length <= 5 && v.every(isName) ? copyArray(v) : undefined;
  }
}

/** zod's arrays are new arrays of the same elements (an element zod would see as undefined, a hole, is left to it). */
function copyArray(v: unknown[]): unknown[] | undefined {
  const out: unknown[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (e === undefined) return undefined;
    out[i] = e;
  }
  return out;
}

/** Each tool copied as z.looseObject({name}) copies it: `name` first, then the rest as sent. */
function copyTools(v: unknown): Obj[] | undefined {
  if (!Array.isArray(v) || v.length > 1024) return undefined;
  const out: Obj[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const tool: unknown = v[i];
    if (!isPlain(tool) || !isName(tool.name)) return undefined;
    const copy: Obj = { name: tool.name };
    if (!copyUnknown(tool, TOOL, copy)) return undefined;
    out[i] = copy;
  }
  return out;
}

/** tool_choice copied as its looseObject copies it: `type`, `name` when sent, then the rest as sent. */
function copyToolChoice(v: unknown): Obj | undefined {
  if (!isPlain(v) || !CHOICE_TYPES.has(v.type)) return undefined;
  const copy: Obj = { type: v.type };
  if (hasOwn(v, 'name')) {
    if (typeof v.name !== 'string') return undefined;
    copy.name = v.name;
  }
  return copyUnknown(v, CHOICE, copy) ? copy : undefined;
}

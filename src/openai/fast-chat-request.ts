// The common chat request checked by hand: text messages, the usual sampling parameters. zod's
// generic object and union machinery was the largest single item of the gateway's own code on the
// chat path (3.4% of busy CPU at 64 connections, bench/README.md "Where the time goes").
//
// This is only ever a shortcut to the answer chatRequestSchema gives: it returns exactly what
// zod's parse returns (the same copies, keys in the same order: the schema's keys, then unknown
// ones as sent), and `undefined` for anything it does not check itself (tools,
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
    if (Array.isArray(m.content)) {
      const parts = copyParts(m.content);
      if (!parts) return undefined;
      copy.content = parts;
    }
    out[i] = copy;
  }
  return out;
}

function messageOk(m: Obj, role: string): boolean {
  const content = m.content;
  // A list of parts is checked and copied by copyParts.
  const text = typeof content === 'string' || Array.isArray(content);
  if (role === 'tool') {
    const id = m.tool_call_id;
    return typeof id === 'string' && id.length >= 1 && text;
  }
  if (hasOwn(m, 'name') && typeof m.name !== 'string') return false;
  // Tool calls in the history are left to the schema.
  if (role === 'assistant') return !hasOwn(m, 'tool_calls') && (!hasOwn(m, 'content') || content === null || text);
  return text;
}

// Content parts, as the schema's union [text, image_url, any other typed part] copies them: the first
// branch that accepts the part gives its copy. zod's union cost ~1.5 µs a part: 100,000 image parts
// (requestLimits.maxContentParts) kept the event loop 125–160 ms (tests/isolation/wide-bodies.test.ts).
const TEXT_PART = ['type', 'text'];
const IMAGE_PART = ['type', 'image_url'];
const OTHER_PART = ['type'];
const IMAGE_URL = ['url', 'detail'];
const PART_SETS = new Map<readonly string[], ReadonlySet<string>>(
  [TEXT_PART, IMAGE_PART, OTHER_PART, IMAGE_URL].map((k) => [k, new Set(k)]),
);
const DETAILS: ReadonlySet<unknown> = new Set(['auto', 'low', 'high']);

function copyParts(parts: unknown[]): Obj[] | undefined {
  const out: Obj[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (!isObject(part)) return undefined;
    const copy = copyPart(part);
    if (!copy) return undefined;
    out[i] = copy;
  }
  return out;
}

function copyPart(p: Obj): Obj | undefined {
  const type = p.type;
  if (type === 'text' && typeof p.text === 'string') return asZodCopies(p, TEXT_PART);
  if (type === 'image_url') {
    const image = p.image_url;
    if (isObject(image) && imageUrlOk(image)) {
      const url = asZodCopies(image, IMAGE_URL);
      if (url === image) return asZodCopies(p, IMAGE_PART);
      const copy = copyLoose(p, IMAGE_PART, PART_SETS.get(IMAGE_PART)!);
      if (!copy || !url) return undefined;
      copy.image_url = url;
      return copy;
    }
  }
  return typeof type === 'string' && type.length >= 1 ? asZodCopies(p, OTHER_PART) : undefined;
}

/**
 * What zod's loose copy of `o` holds. A part whose keys already come in that order (the declared
 * ones first, in the schema's order: what clients send) is its own copy, equal in every value and
 * key order; copying 100,000 of them cost twice JSON.parse of the body.
 */
function asZodCopies(o: Obj, keys: readonly string[]): Obj | undefined {
  const keySet = PART_SETS.get(keys)!;
  if (Object.getPrototypeOf(o) !== Object.prototype) return undefined;
  let next = 0;
  let unknownSeen = false;
  for (const key in o) {
    if (!keySet.has(key)) {
      if (key === '__proto__') return undefined;
      unknownSeen = true;
      continue;
    }
    while (next < keys.length && keys[next] !== key) next++;
    if (unknownSeen || next === keys.length) return copyLoose(o, keys, keySet);
    next++;
  }
  return o;
}

const imageUrlOk = (image: Obj) =>
  typeof image.url === 'string' && image.url.length >= 1 && (!hasOwn(image, 'detail') || DETAILS.has(image.detail));

/** As a zod loose object copies: the declared keys present, in `keys` order, then the others as sent. */
function copyLoose(o: Obj, keys: readonly string[], keySet: ReadonlySet<string>): Obj | undefined {
  if (Object.getPrototypeOf(o) !== Object.prototype) return undefined;
  const out: Obj = {};
  for (const key of keys) if (hasOwn(o, key)) out[key] = o[key];
  return copyUnknown(o, keySet, out) ? out : undefined;
}

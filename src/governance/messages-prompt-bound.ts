// An upper bound on the input tokens of a Messages request, for budget reservations (the same rule
// as governance/prompt-bound.ts for chat: a byte-level BPE token covers at least one UTF-8 byte).
// Every string in the request (text, tool inputs and schemas, thinking, keys) counts its bytes;
// images count as the model's per-image bound instead of their base64 size; each message, tool and
// the reply get the same overheads as chat; an Anthropic-schema client tool (bash, text editor,
// computer use, memory) also its documented prompt (wire/messages/client-tools.ts). Linear in the body; pure.
import { clientToolTokens } from '../wire/messages/client-tools.js';
import { DEFAULT_IMAGE_TOKENS, MESSAGE_OVERHEAD, REPLY_OVERHEAD, TOOL_OVERHEAD, TOOLS_PREAMBLE } from './prompt-bound.js';
import type { MessagesRequest } from '../wire/messages/types.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function walk(value: unknown, imageTokens: number): number {
  if (typeof value === 'string') return bytes(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) n += walk(v, imageTokens);
    return n;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'image') return imageTokens;
    let n = 0;
    for (const key in o) n += bytes(key) + walk(o[key], imageTokens);
    return n;
  }
  return 0;
}

export function messagesPromptBound(req: MessagesRequest, opts: { maxImageTokens?: number | undefined } = {}): number {
  const imageTokens = opts.maxImageTokens ?? DEFAULT_IMAGE_TOKENS;
  let n = REPLY_OVERHEAD + walk(req.system, imageTokens);
  for (const m of req.messages) n += MESSAGE_OVERHEAD + walk(m.content, imageTokens);
  const tools = req.tools ?? [];
  if (tools.length) n += TOOLS_PREAMBLE;
  for (const t of tools) n += TOOL_OVERHEAD + walk(t, imageTokens) + clientToolTokens(t);
  return n;
}

/**
 * A count_tokens estimate for upstreams without a count endpoint: about 4 bytes of text a token
 * (images at their bound). An estimate, not the bound above; Claude Code uses it to budget context.
 */
export function estimateInputTokens(req: MessagesRequest): number {
  const imageTokens = 1_600;
  let text = walk(req.system, imageTokens);
  for (const m of req.messages) text += walk(m.content, imageTokens) + 4 * MESSAGE_OVERHEAD;
  for (const t of req.tools ?? []) text += walk(t, imageTokens);
  return Math.max(1, Math.ceil(text / 4));
}

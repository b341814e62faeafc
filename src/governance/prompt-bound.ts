// An upper bound on the input tokens of a chat request, without a tokenizer on the hot path. Pure.
//
// Text: OpenAI's (tiktoken cl100k/o200k) and Anthropic's tokenizers are byte-level BPE: every token
// covers at least one byte of UTF-8, so a text costs at most its UTF-8 length in tokens, whatever
// the language (Japanese is 3 bytes a character and ~1–1.5 tokens a character). Around the text,
// chat templates add a few special tokens per message (OpenAI documents 3, plus 1 for a name, plus
// 3 to prime the reply); we allow MESSAGE_OVERHEAD and REPLY_OVERHEAD, well above that.
// Tools: a definition is rendered from its JSON (OpenAI as a TypeScript-like namespace, which is
// shorter than the JSON), bounded by its JSON bytes plus TOOL_OVERHEAD each and TOOLS_PREAMBLE once:
// the tool-use system prompt Anthropic adds when tools are offered. Its table "Tool use system
// prompt token count" (https://platform.claude.com/docs/en/agents-and-tools/tool-use/overview,
// Pricing; read 2026-12-01 from a copy of the page dated 2026-07-13) gives, per model, for
// tool_choice auto/none and any/tool: Opus 4.8 290/410, Opus 4.7 675/804, Opus 4.6 and Sonnet 4.6
// 497/589, Opus 4.5, Sonnet 4.5 and Haiku 4.5 496/588, Sonnet 5 354/474, Opus 4.1/4 and Sonnet 4
// 313/315. The bound takes the largest, 804 (before: 600, from the Claude 3 table's 530), for every
// surface: a chat or Responses request may go to an Anthropic upstream too, and OpenAI documents
// no figure of its own.
// Images: tokens depend on pixels, not bytes; each counts as the model's maxImageTokens from the
// price table, DEFAULT_IMAGE_TOKENS otherwise (see README "Budgets" for the figures).
import type { ChatRequest, ContentPart, FunctionTool } from '../openai/types.js';

export const MESSAGE_OVERHEAD = 8;
export const REPLY_OVERHEAD = 8;
const TOOL_CALL_OVERHEAD = 16;
export const TOOL_OVERHEAD = 16;
export const TOOLS_PREAMBLE = 804;
/**
 * Covers OpenAI's tile models at high detail (gpt-4o: 85 + 8 × 170 = 1,445; gpt-5: 1,190), its
 * patch models (≤ 1,536 patches × 2.46 for gpt-4.1-nano = 3,779) and Claude (≤ ~1,600).
 */
export const DEFAULT_IMAGE_TOKENS = 3_800;

const bytes = (s: string | undefined | null): number => (s ? Buffer.byteLength(s, 'utf8') : 0);

/** Tool definitions are shared objects built once; their bound is computed once too. */
const toolBounds = new WeakMap<FunctionTool, number>();

function toolBound(tool: FunctionTool): number {
  let n = toolBounds.get(tool);
  if (n === undefined) {
    n = TOOL_OVERHEAD + bytes(JSON.stringify(tool.function));
    toolBounds.set(tool, n);
  }
  return n;
}

function contentBound(content: string | ContentPart[] | null | undefined, imageTokens: number): number {
  if (!content) return 0;
  if (typeof content === 'string') return bytes(content);
  let n = 0;
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string') n += bytes(part.text);
    else if (part.type === 'image_url') n += imageTokens;
    // Audio and files pass through to OpenAI-compatible upstreams: counted at their encoded size.
    else n += bytes(JSON.stringify(part));
  }
  return n;
}

export interface PromptBoundOptions {
  /** The model's per-image bound (price table `maxImageTokens`); DEFAULT_IMAGE_TOKENS when unknown. */
  maxImageTokens?: number | undefined;
}

/** The most input tokens `req` (messages, tools, response format) can be billed for. */
export function promptTokenBound(req: ChatRequest, opts: PromptBoundOptions = {}): number {
  const imageTokens = opts.maxImageTokens ?? DEFAULT_IMAGE_TOKENS;
  let n = REPLY_OVERHEAD;
  for (const m of req.messages) {
    n += MESSAGE_OVERHEAD + bytes(m.role) + contentBound(m.content as string | ContentPart[] | null | undefined, imageTokens);
    if ('name' in m) n += bytes(m.name);
    if (m.role === 'tool') n += bytes(m.tool_call_id);
    if (m.role === 'assistant') {
      for (const call of m.tool_calls ?? [])
        n += TOOL_CALL_OVERHEAD + bytes(call.id) + bytes(call.function.name) + bytes(call.function.arguments);
      if (typeof m.refusal === 'string') n += bytes(m.refusal);
    }
  }
  const tools = req.tools ?? [];
  if (tools.length) n += TOOLS_PREAMBLE;
  for (const tool of tools) n += toolBound(tool);
  // Structured outputs put the schema in the prompt.
  if (req.response_format !== undefined && req.response_format !== null) n += bytes(JSON.stringify(req.response_format));
  return n;
}

/**
 * Predicted Outputs (Chat Completions `prediction`): the prediction's tokens the answer does not use
 * are billed as completion tokens beside what the model generates under its cap
 * (`rejected_prediction_tokens`, https://platform.openai.com/docs/guides/predicted-outputs), so the
 * output reserved is the cap plus this bound: the prediction's text bytes (a token covers at least
 * one), its JSON bytes when it is not a string (never fewer than its text's).
 */
export function predictionTokenBound(prediction: unknown): number {
  if (prediction === undefined || prediction === null) return 0;
  const content = (prediction as { content?: unknown }).content;
  return typeof content === 'string' ? bytes(content) : bytes(JSON.stringify(prediction));
}

// Messages request → Chat Completions request (pure), for upstreams that do not speak Messages.
// Linear in the size of the request. Whatever has no Chat Completions equivalent is refused with a
// 400 naming the field (`untranslatable_field`), never dropped silently; the few hints that carry no
// meaning for a chat upstream are dropped with a warning the route returns in `x-tollgate-warnings`
// (see WARNED below). Spec: https://docs.anthropic.com/en/api/messages,
// https://platform.openai.com/docs/api-reference/chat/create
import { invalidRequest } from '../../errors.js';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolCall, ToolChoice } from '../../openai/types.js';
import type { ContentBlock, MessagesRequest, ToolChoice as MessagesToolChoice } from './types.js';
import { isClientToolType } from './client-tools.js';
import { isServerToolType } from './server-tools.js';

export interface ToChatOptions {
  /** Which field carries the output cap for this upstream (provider maxTokensField). */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

export interface ChatTranslation {
  request: ChatRequest;
  /** Hints dropped because a chat upstream has no use for them (returned in x-tollgate-warnings). */
  warnings: string[];
}

const untranslatable = (param: string, why: string) =>
  invalidRequest(`${param}: ${why}; this model's provider speaks Chat Completions`, param, 'untranslatable_field');

/** Top-level fields mapped below. */
const MAPPED = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'context_management',
  'output_config',
]);

/**
 * Dropped with a warning: `thinking` (a chat model reasons, or not, on its own; Anthropic itself
 * drops earlier turns' thinking), `service_tier` (a scheduling preference of Anthropic's) and
 * `cache_control` on blocks (chat upstreams cache prompt prefixes by themselves).
 */
const WARNED = new Set(['thinking', 'service_tier']);

export function messagesToChat(req: MessagesRequest, opts: ToChatOptions): ChatTranslation {
  const warnings = new Set<string>();
  for (const key of Object.keys(req)) {
    if (MAPPED.has(key)) continue;
    if (WARNED.has(key)) warnings.add(`${key} ignored`);
    else throw untranslatable(key, `"${key}" has no Chat Completions equivalent`);
  }
  const messages: ChatMessage[] = [];
  if (req.system !== undefined) messages.push(systemMessage(req.system, warnings));
  for (let i = 0; i < req.messages.length; i++) {
    const m = req.messages[i]!;
    if (m.role === 'user') userTurn(messages, m.content, `messages[${i}].content`, warnings);
    else if (m.role === 'assistant') messages.push(assistantTurn(m.content, `messages[${i}].content`, warnings));
    // A system turn mid-conversation keeps its place (chat takes system messages anywhere).
    else if (m.role === 'system') messages.push(systemMessage(m.content as MessagesRequest['system'], warnings, `messages[${i}].content`));
    else throw untranslatable(`messages[${i}].role`, `a "${m.role}" turn`);
  }
  const request: ChatRequest = { model: req.model, messages };
  if (req.context_management !== undefined) contextManagement(req.context_management, warnings);
  if (req.output_config !== undefined) outputConfig(req.output_config, request, warnings);
  if (req.max_tokens !== undefined) request[opts.maxTokensField] = req.max_tokens;
  if (req.stream === true) request.stream = true;
  if (req.temperature !== undefined) request.temperature = req.temperature;
  if (req.top_p !== undefined) request.top_p = req.top_p;
  if (req.stop_sequences?.length) {
    if (req.stop_sequences.length > 4) throw untranslatable('stop_sequences', 'chat upstreams take at most 4 stop sequences');
    request.stop = req.stop_sequences;
  }
  const user = req.metadata?.user_id;
  if (typeof user === 'string' && user) request.user = user;
  if (req.tools?.length) request.tools = req.tools.map((t, i) => functionTool(t, i, warnings));
  if (req.tool_choice) {
    const { choice, parallel } = toolChoice(req.tool_choice);
    if (request.tools || choice === 'none') request.tool_choice = choice;
    if (parallel === false && request.tools) request.parallel_tool_calls = false;
  }
  return { request, warnings: [...warnings] };
}

/**
 * Context editing runs on Anthropic's side. Clearing old thinking (what Claude Code asks for) is
 * what a chat conversation already is — it carries no thinking — so it is dropped with a warning;
 * other edits would change the conversation and are refused.
 * https://docs.anthropic.com/en/docs/build-with-claude/context-editing
 */
function contextManagement(value: unknown, warnings: Set<string>): void {
  const edits = (value as { edits?: unknown } | null)?.edits;
  if (!Array.isArray(edits)) throw untranslatable('context_management', 'context editing');
  edits.forEach((e, i) => {
    const type = String((e as { type?: unknown } | null)?.type ?? '');
    if (!type.startsWith('clear_thinking')) throw untranslatable(`context_management.edits[${i}]`, `the "${type}" edit`);
  });
  warnings.add('context_management ignored');
}

/**
 * output_config: `format` (structured output, a JSON schema) becomes response_format; `effort` is a
 * hint a chat model may not take (non-reasoning models reject reasoning_effort), so it is dropped
 * with a warning. https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs
 */
function outputConfig(value: unknown, request: ChatRequest, warnings: Set<string>): void {
  if (value === null || typeof value !== 'object') throw untranslatable('output_config', 'this output_config');
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'effort') warnings.add('output_config.effort ignored');
    else if (key === 'format') {
      const format = v as { type?: unknown; schema?: unknown } | null;
      if (format?.type !== 'json_schema' || typeof format.schema !== 'object')
        throw untranslatable('output_config.format', 'an output format other than json_schema');
      request.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
    } else throw untranslatable(`output_config.${key}`, `"${key}"`);
  }
}

function systemMessage(system: MessagesRequest['system'], warnings: Set<string>, param = 'system'): ChatMessage {
  if (typeof system === 'string') return { role: 'system', content: system };
  const parts: ContentPart[] = [];
  system!.forEach((b, i) => {
    if (b.type !== 'text') throw untranslatable(`${param}[${i}]`, `a "${b.type}" block cannot be a system prompt`);
    if (b.cache_control !== undefined) warnings.add('cache_control ignored');
    parts.push({ type: 'text', text: b.text });
  });
  return { role: 'system', content: parts };
}

/** A user turn: its tool results become tool messages (first, as Anthropic requires them first), the rest one user message. */
function userTurn(out: ChatMessage[], content: string | ContentBlock[], param: string, warnings: Set<string>): void {
  if (typeof content === 'string') {
    out.push({ role: 'user', content });
    return;
  }
  const parts: ContentPart[] = [];
  content.forEach((b, j) => {
    if (b.cache_control !== undefined) warnings.add('cache_control ignored');
    if (b.type === 'tool_result') out.push(toolMessage(b as Extract<ContentBlock, { type: 'tool_result' }>, `${param}[${j}]`, warnings));
    else parts.push(userPart(b, `${param}[${j}]`));
  });
  if (parts.length) out.push({ role: 'user', content: parts });
}

function userPart(b: ContentBlock, param: string): ContentPart {
  if (b.type === 'text') return { type: 'text', text: String(b.text ?? '') };
  if (b.type === 'image') {
    const source = b.source as { type?: string; media_type?: string; data?: string; url?: string } | undefined;
    if (source?.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
    if (source?.type === 'url' && source.url) return { type: 'image_url', image_url: { url: source.url } };
    throw untranslatable(`${param}.source`, `an image from a "${source?.type}" source`);
  }
  throw untranslatable(param, `a "${b.type}" block`);
}

function toolMessage(b: Extract<ContentBlock, { type: 'tool_result' }>, param: string, warnings: Set<string>): ChatMessage {
  let text: string;
  if (typeof b.content === 'string' || b.content === undefined) text = b.content ?? '';
  else {
    const pieces: string[] = [];
    b.content.forEach((p, k) => {
      if (p.cache_control !== undefined) warnings.add('cache_control ignored');
      if (p.type !== 'text') throw untranslatable(`${param}.content[${k}]`, `a "${p.type}" block in a tool result`);
      pieces.push(String(p.text ?? ''));
    });
    text = pieces.join('\n');
  }
  // Chat has no error flag on tool messages: the model is told in the text.
  return { role: 'tool', tool_call_id: b.tool_use_id, content: b.is_error ? `Error: ${text}` : text };
}

/**
 * An assistant turn: text blocks become the content, tool_use blocks the tool calls. Earlier turns'
 * thinking is left out, as Anthropic's own API does ("thinking blocks from previous turns are
 * stripped": https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking).
 */
function assistantTurn(content: string | ContentBlock[], param: string, warnings: Set<string>): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const calls: ToolCall[] = [];
  content.forEach((b, j) => {
    if (b.cache_control !== undefined) warnings.add('cache_control ignored');
    if (b.type === 'text') text += String(b.text ?? '');
    else if (b.type === 'tool_use')
      calls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
    else if (b.type !== 'thinking' && b.type !== 'redacted_thinking') throw untranslatable(`${param}[${j}]`, `a "${b.type}" block`);
  });
  return { role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) };
}

function functionTool(
  t: MessagesRequest['tools'] extends (infer T)[] | undefined ? T : never,
  i: number,
  warnings: Set<string>,
): FunctionTool {
  if (t.type !== undefined && t.type !== 'custom') throw untranslatable(`tools[${i}]`, typedToolRefusal(String(t.type)));
  if (t.cache_control !== undefined) warnings.add('cache_control ignored');
  const fn: FunctionTool['function'] = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } };
  if (t.description !== undefined) fn.description = t.description;
  return { type: 'function', function: fn };
}

/**
 * Why a typed tool cannot go to a chat upstream, in the words of what it is: a server tool runs on
 * Anthropic's side; a client tool Anthropic defines (bash, text editor, computer use, memory) is
 * run by the client, but only Anthropic expands its type into the schema and prompt the model sees.
 */
function typedToolRefusal(type: string): string {
  if (isServerToolType(type)) return `the server tool "${type}" runs only on Anthropic's side`;
  if (isClientToolType(type))
    return `"${type}" is a client tool Anthropic defines (the client runs it, but only an Anthropic upstream understands its type)`;
  return `the tool type "${type}" is Anthropic's; only an Anthropic upstream understands it`;
}

function toolChoice(c: MessagesToolChoice): { choice: ToolChoice; parallel: boolean | undefined } {
  const parallel = c.disable_parallel_tool_use === true ? false : undefined;
  switch (c.type) {
    case 'none':
      return { choice: 'none', parallel };
    case 'any':
      return { choice: 'required', parallel };
    case 'tool':
      if (!c.name) throw invalidRequest('tool_choice.name: required when tool_choice.type is "tool"', 'tool_choice.name');
      return { choice: { type: 'function', function: { name: c.name } }, parallel };
    default:
      return { choice: 'auto', parallel };
  }
}

// OpenAI `messages` → Anthropic `system` + `messages`.
// Spec: https://docs.anthropic.com/en/api/messages (system prompt, alternating user/assistant turns,
// tool_use / tool_result blocks: https://docs.anthropic.com/en/docs/build-with-claude/tool-use).
import { invalidRequest } from '../../src/errors.js';
import type { AssistantMessage, ChatMessage, ContentPart, ToolMessage } from '../../src/openai/types.js';
import { contentBlocks } from './request-content.js';
import type { AnthropicContentBlock, AnthropicMessageParam, AnthropicTextBlock } from './wire-types.js';

export interface MappedMessages {
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessageParam[];
}

/** Tool arguments arrive as JSON text; Anthropic wants the `input` object itself. */
function parseArguments(args: string, param: string): Record<string, unknown> {
  // Some models emit "" for a tool without parameters; that means {}.
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalidRequest('tool call arguments are not valid JSON', param);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidRequest('tool call arguments must be a JSON object', param);
  }
  return parsed as Record<string, unknown>;
}

function assistantBlocks(msg: AssistantMessage, i: number): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  if (typeof msg.content === 'string') {
    if (msg.content.length > 0) blocks.push({ type: 'text', text: msg.content });
  } else if (Array.isArray(msg.content)) {
    // Assistant parts are text or refusal; a refusal is replayed as the text the model said.
    const parts: ContentPart[] = msg.content.map((p) => (p.type === 'refusal' ? { type: 'text', text: String(p.refusal ?? '') } : p));
    blocks.push(...contentBlocks(parts, `messages[${i}].content`, false));
  }
  (msg.tool_calls ?? []).forEach((call, j) => {
    const input = parseArguments(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`);
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
  });
  return blocks;
}

function toolResult(msg: ToolMessage, i: number): AnthropicContentBlock {
  const content = typeof msg.content === 'string' ? msg.content : contentBlocks(msg.content, `messages[${i}].content`);
  return { type: 'tool_result', tool_use_id: msg.tool_call_id, content };
}

const asBlocks = (content: string | AnthropicContentBlock[]): AnthropicContentBlock[] =>
  typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content;

/**
 * Appends a turn, merging it into the previous one when the role repeats: Anthropic requires
 * strict user/assistant alternation, and all tool results of a turn in ONE user message.
 * In a user turn the tool_result blocks must come before any text, so they are moved first.
 */
function pushTurn(out: AnthropicMessageParam[], turn: AnthropicMessageParam): void {
  const last = out[out.length - 1];
  if (!last || last.role !== turn.role) {
    out.push(turn);
    return;
  }
  const merged = [...asBlocks(last.content), ...asBlocks(turn.content)];
  last.content =
    turn.role === 'user' ? [...merged.filter((b) => b.type === 'tool_result'), ...merged.filter((b) => b.type !== 'tool_result')] : merged;
}

function systemOf(parts: (string | AnthropicTextBlock[])[]): MappedMessages['system'] {
  if (parts.length === 0) return undefined;
  // Plain strings stay one string; any block content keeps blocks (so cache_control survives).
  if (parts.every((p) => typeof p === 'string')) return parts.join('\n\n');
  return parts.flatMap((p) => (typeof p === 'string' ? (p ? [{ type: 'text' as const, text: p }] : []) : p));
}

export function mapMessages(messages: ChatMessage[]): MappedMessages {
  const system: (string | AnthropicTextBlock[])[] = [];
  const out: AnthropicMessageParam[] = [];
  messages.forEach((msg, i) => {
    switch (msg.role) {
      case 'system':
      case 'developer':
        system.push(
          typeof msg.content === 'string'
            ? msg.content
            : (contentBlocks(msg.content, `messages[${i}].content`, false) as AnthropicTextBlock[]),
        );
        return;
      case 'user':
        pushTurn(out, {
          role: 'user',
          content: typeof msg.content === 'string' ? msg.content : contentBlocks(msg.content, `messages[${i}].content`),
        });
        return;
      case 'assistant': {
        const blocks = assistantBlocks(msg, i);
        // An assistant turn with nothing in it would be rejected (empty content); it carries nothing.
        if (blocks.length > 0) pushTurn(out, { role: 'assistant', content: blocks });
        return;
      }
      case 'tool':
        pushTurn(out, { role: 'user', content: [toolResult(msg, i)] });
        return;
      default:
        throw invalidRequest(`unsupported message role '${(msg as { role: string }).role}'`, `messages[${i}].role`);
    }
  });
  if (out.length === 0) throw invalidRequest('messages must contain at least one user or assistant message', 'messages');
  const mapped: MappedMessages = { messages: out };
  const sys = systemOf(system);
  if (sys !== undefined) mapped.system = sys;
  return mapped;
}

// Chat `messages` → Messages `system` + `messages` (pure; part of from-chat-request.ts).
// Spec: https://docs.anthropic.com/en/api/messages (system prompt, alternating user/assistant turns,
// tool_use / tool_result blocks: https://docs.anthropic.com/en/docs/build-with-claude/tool-use).
import { invalidRequest } from '../../errors.js';
import type { AssistantMessage, ChatMessage, ContentPart, ToolMessage } from '../../openai/types.js';
import { contentBlocks } from './from-chat-content.js';
import type { ContentBlock, MessageParam, TextBlock } from './types.js';

export interface MappedMessages {
  system?: string | TextBlock[];
  messages: MessageParam[];
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

function assistantBlocks(msg: AssistantMessage, i: number): ContentBlock[] {
  const blocks: ContentBlock[] = [];
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

function toolResult(msg: ToolMessage, i: number): ContentBlock {
  const content = typeof msg.content === 'string' ? msg.content : contentBlocks(msg.content, `messages[${i}].content`);
  return { type: 'tool_result', tool_use_id: msg.tool_call_id, content };
}

const asBlocks = (content: string | ContentBlock[]): ContentBlock[] =>
  typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content;

/**
 * Collects turns, merging one into the previous when the role repeats: Anthropic requires strict
 * user/assistant alternation, and all tool results of a turn in ONE user message, before any text.
 * Linear: a merged turn appends to arrays it owns (results and the rest kept apart for user turns)
 * instead of copying what it holds, so 10,000 consecutive user messages cost 10,000 appends.
 */
/** Chat turns map to user and assistant turns only (system goes to the top-level prompt). */
type Turn = MessageParam & { role: 'user' | 'assistant' };

class TurnBuilder {
  readonly out: MessageParam[] = [];
  private open: { role: Turn['role']; first: MessageParam; results: ContentBlock[]; rest: ContentBlock[] } | undefined;

  push(turn: Turn): void {
    if (this.open?.role !== turn.role) {
      this.close();
      this.out.push(turn);
      this.open = { role: turn.role, first: turn, results: [], rest: [] };
      return;
    }
    const open = this.open;
    if (open.results.length === 0 && open.rest.length === 0) {
      // The turn now holds more than one message: its content becomes the builder's own arrays.
      for (const b of asBlocks(open.first.content)) (turn.role === 'user' && b.type === 'tool_result' ? open.results : open.rest).push(b);
    }
    for (const b of asBlocks(turn.content)) (turn.role === 'user' && b.type === 'tool_result' ? open.results : open.rest).push(b);
    open.first.content = EMPTY;
  }

  close(): MappedMessages['messages'] {
    const open = this.open;
    if (open && open.first.content === EMPTY) open.first.content = [...open.results, ...open.rest];
    this.open = undefined;
    return this.out;
  }
}

/** Marks a merged turn whose content is assembled when it closes. */
const EMPTY: ContentBlock[] = [];

function systemOf(parts: (string | TextBlock[])[]): MappedMessages['system'] {
  if (parts.length === 0) return undefined;
  // Plain strings stay one string; any block content keeps blocks (so cache_control survives).
  if (parts.every((p) => typeof p === 'string')) return parts.join('\n\n');
  return parts.flatMap((p) => (typeof p === 'string' ? (p ? [{ type: 'text' as const, text: p }] : []) : p));
}

export function mapMessages(messages: ChatMessage[]): MappedMessages {
  const system: (string | TextBlock[])[] = [];
  const turns = new TurnBuilder();
  messages.forEach((msg, i) => {
    switch (msg.role) {
      case 'system':
      case 'developer':
        // Anthropic takes a system prompt only before the conversation; moving a later one there
        // would change what the model reads (issue 16: kept in place or refused, never hoisted).
        if (turns.out.length > 0)
          throw invalidRequest(
            `a ${msg.role} message after the conversation started cannot be sent to anthropic models (their system prompt comes first); put it at the start or in a user message`,
            `messages[${i}].role`,
          );
        system.push(
          typeof msg.content === 'string' ? msg.content : (contentBlocks(msg.content, `messages[${i}].content`, false) as TextBlock[]),
        );
        return;
      case 'user':
        turns.push({
          role: 'user',
          content: typeof msg.content === 'string' ? msg.content : contentBlocks(msg.content, `messages[${i}].content`),
        });
        return;
      case 'assistant': {
        const blocks = assistantBlocks(msg, i);
        // An assistant turn with nothing in it would be rejected (empty content); it carries nothing.
        if (blocks.length > 0) turns.push({ role: 'assistant', content: blocks });
        return;
      }
      case 'tool':
        turns.push({ role: 'user', content: [toolResult(msg, i)] });
        return;
      default:
        throw invalidRequest(`unsupported message role '${(msg as { role: string }).role}'`, `messages[${i}].role`);
    }
  });
  const out = turns.close();
  if (out.length === 0) throw invalidRequest('messages must contain at least one user or assistant message', 'messages');
  const mapped: MappedMessages = { messages: out };
  const sys = systemOf(system);
  if (sys !== undefined) mapped.system = sys;
  return mapped;
}

// Chat Completions answer → Messages answer (pure): the assistant turn becomes content blocks, chat
// usage becomes Anthropic usage, the finish reason a stop reason. The stream counterpart is
// stream-writer.ts. Spec: https://docs.anthropic.com/en/api/messages (response),
// https://docs.anthropic.com/en/api/handling-stop-reasons
import type { FinishReason, ToolCall, Usage as ChatUsage } from '../../openai/types.js';
import type { ContentBlock, Message, StopReason, Usage } from './types.js';

/** chat usage → Anthropic usage: Anthropic's input_tokens excludes cache reads and writes. */
export function usageFromChat(u: ChatUsage | undefined): Usage {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
  const written = u?.prompt_tokens_details?.cache_creation_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    output_tokens: u?.completion_tokens ?? 0,
  };
}

export function stopReasonFromChat(reason: FinishReason | null | undefined): StopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** A tool call's JSON arguments as Anthropic's `input` object ({} for empty; the raw text kept when it is not an object). */
export function toolInput(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const parsed = JSON.parse(args) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through: the model wrote something that is not JSON
  }
  return { _arguments: args };
}

export function toolUseBlock(call: ToolCall): ContentBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) };
}

export interface ChatTurnParts {
  content: string | null;
  refusal?: string | null | undefined;
  toolCalls: readonly ToolCall[];
}

export function blocksFromChat(turn: ChatTurnParts): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  const text = turn.content ?? turn.refusal ?? '';
  if (text) blocks.push({ type: 'text', text });
  for (const call of turn.toolCalls) blocks.push(toolUseBlock(call));
  return blocks;
}

export function messageFromChat(input: {
  id: string;
  model: string;
  content: ContentBlock[];
  finishReason: FinishReason | null;
  usage: ChatUsage | undefined;
}): Message {
  return {
    id: input.id,
    type: 'message',
    role: 'assistant',
    model: input.model,
    content: input.content,
    stop_reason: stopReasonFromChat(input.finishReason),
    stop_sequence: null,
    usage: usageFromChat(input.usage),
  };
}

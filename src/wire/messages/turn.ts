// One assistant turn of a native Messages upstream, as the tool loop needs it (pure): the content
// blocks exactly as the model produced them (thinking and its signature, server tool blocks, text
// with citations), the tool calls among them in chat shape, the stop reason and the usage.
// Streams are rebuilt from their events; https://docs.anthropic.com/en/api/messages-streaming
import type { FinishReason, ToolCall, Usage as ChatUsage } from '../../openai/types.js';
import type { ContentBlock, Message, StopReason } from './types.js';
import { type AnthropicUsage, mapStopReason, mapUsage } from './usage.js';

export interface MessagesTurn {
  /** The model's blocks, in order, as they would appear in a non-streamed response. */
  content: ContentBlock[];
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  stopReason: StopReason | null;
  /** In chat terms (for charging and the ledger). */
  usage: ChatUsage | undefined;
  /** The upstream's own usage object. */
  rawUsage: AnthropicUsage;
  id: string;
  model: string;
}

export function toolCallsOf(content: readonly ContentBlock[]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const b of content) {
    if (b.type === 'tool_use')
      calls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
  }
  return calls;
}

export function turnFromMessage(msg: Message): MessagesTurn {
  const content = Array.isArray(msg.content) ? msg.content : [];
  return {
    content,
    toolCalls: toolCallsOf(content),
    finishReason: mapStopReason(msg.stop_reason),
    stopReason: msg.stop_reason ?? null,
    usage: msg.usage ? mapUsage(msg.usage) : undefined,
    rawUsage: msg.usage ?? {},
    id: msg.id,
    model: msg.model,
  };
}

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

/** Rebuilds a streamed turn from its parsed events. */
export class MessagesTurnBuilder {
  private readonly blocks: ContentBlock[] = [];
  /** Partial input JSON of open tool_use blocks; made at the first one (a text-only turn has none). */
  private json: Map<number, string> | undefined;
  readonly usage: AnthropicUsage = {};
  stopReason: StopReason | null = null;
  id = '';
  model = '';
  started = false;
  stopped = false;
  /** Whether a tool_use block began: without one the turn has no tool calls (known before turn() builds it). */
  toolUse = false;

  add(event: { type?: string; [key: string]: unknown }): void {
    switch (event.type) {
      case 'message_start': {
        const message = event.message as Partial<Message> | undefined;
        this.started = true;
        this.id = message?.id ?? '';
        this.model = message?.model ?? '';
        this.remember(message?.usage);
        return;
      }
      case 'content_block_start': {
        const index = event.index as number;
        const block = { ...(event.content_block as ContentBlock) };
        if (block.type === 'tool_use' || block.type === 'server_tool_use') (this.json ??= new Map()).set(index, '');
        if (block.type === 'tool_use') this.toolUse = true;
        this.blocks[index] = block;
        return;
      }
      case 'content_block_delta': {
        const index = event.index as number;
        const block = this.blocks[index];
        const delta = event.delta as Record<string, unknown> | undefined;
        if (!block || !delta) return;
        if (delta.type === 'text_delta') block.text = `${block.text ?? ''}${delta.text ?? ''}`;
        else if (delta.type === 'input_json_delta') {
          const open = (this.json ??= new Map());
          open.set(index, (open.get(index) ?? '') + String(delta.partial_json ?? ''));
        } else if (delta.type === 'thinking_delta') block.thinking = `${block.thinking ?? ''}${delta.thinking ?? ''}`;
        else if (delta.type === 'signature_delta') block.signature = `${block.signature ?? ''}${delta.signature ?? ''}`;
        else if (delta.type === 'citations_delta') block.citations = [...((block.citations as unknown[]) ?? []), delta.citation];
        return;
      }
      case 'content_block_stop': {
        const index = event.index as number;
        const open = this.json;
        const json = open?.get(index);
        const block = this.blocks[index];
        if (open && json !== undefined && block) {
          block.input = json.trim() === '' ? {} : parseOr(json);
          open.delete(index);
        }
        return;
      }
      case 'message_delta': {
        const delta = event.delta as { stop_reason?: StopReason | null } | undefined;
        if (delta?.stop_reason !== undefined) this.stopReason = delta.stop_reason;
        this.remember(event.usage as AnthropicUsage | undefined);
        return;
      }
      case 'message_stop':
        this.stopped = true;
        return;
      default:
        return;
    }
  }

  /** Usage seen so far (message_start's input tokens are billed even if the stream breaks later). */
  partialUsage(): ChatUsage | undefined {
    return this.started ? mapUsage(this.usage) : undefined;
  }

  turn(): MessagesTurn {
    const content = this.blocks.filter(Boolean);
    return {
      content,
      toolCalls: toolCallsOf(content),
      finishReason: mapStopReason(this.stopReason),
      stopReason: this.stopReason,
      usage: mapUsage(this.usage),
      rawUsage: { ...this.usage },
      id: this.id,
      model: this.model,
    };
  }

  private remember(u: AnthropicUsage | undefined): void {
    if (!u) return;
    // Indexed, not for-of: run twice per stream, this stays in the interpreter or baseline code for
    // thousands of requests, where each for-of step allocates an iterator result (issue 20).
    for (let i = 0; i < USAGE_KEYS.length; i++) {
      const key = USAGE_KEYS[i]!;
      const value = u[key];
      if (typeof value === 'number') this.usage[key] = value;
    }
    // Cumulative, like the token counts: message_delta's is the round's (the fees' count).
    if (u.server_tool_use) this.usage.server_tool_use = u.server_tool_use;
    // The cache writes by lifetime, priced apart (usage.ts).
    if (u.cache_creation) this.usage.cache_creation = u.cache_creation;
    // Server-side compaction's steps, billed beside the top-level counts (usage.ts).
    if (u.iterations) this.usage.iterations = u.iterations;
  }
}

function parseOr(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

// Messages stream events → chat.completion.chunk values (pure, stateful per response), for chat
// clients of a provider that speaks Messages. The reverse of stream-writer.ts.
// Spec: https://docs.anthropic.com/en/api/messages-streaming (event flow: message_start,
// content_block_start/delta/stop per block, message_delta, message_stop; ping and error anywhere).
import type { SseEvent, StreamTranslator } from '../../../providers/types.js';
import type { ChatCompletionChunk, ChunkChoice, FinishReason } from '../../openai/types.js';
import { badStreamEvent, streamEndedEarly, streamError } from './errors.js';
import { type AnthropicUsage, mapStopReason, mapUsage } from './usage.js';

interface EventData {
  type?: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  content_block?: { type?: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

export function chunksFromMessagesStream(now: () => number = Date.now): StreamTranslator {
  let id = '';
  let model = '';
  const created = Math.floor(now() / 1000);
  const usage: AnthropicUsage = {};
  /** Anthropic content block index → OpenAI tool_calls index (0-based count of tool_use blocks). */
  const toolIndex = new Map<number, number>();
  let stopped = false;

  const chunk = (choices: ChunkChoice[], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
    ...extra,
  });
  const delta = (d: ChunkChoice['delta'], finish: FinishReason | null = null): ChatCompletionChunk =>
    chunk([{ index: 0, delta: d, finish_reason: finish }]);

  /** message_start reports input usage; message_delta reports cumulative counts (any may be null). */
  const remember = (u: AnthropicUsage | undefined): void => {
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
      const value = u?.[key];
      if (typeof value === 'number') usage[key] = value;
    }
    if (u?.cache_creation) usage.cache_creation = u.cache_creation;
  };

  function handle(type: string, data: EventData): ChatCompletionChunk[] {
    switch (type) {
      case 'message_start':
        id = data.message?.id ?? id;
        model = data.message?.model ?? model;
        remember(data.message?.usage);
        // The input tokens are known (and billed) from here on: a stream cut short later is charged
        // at least these (src/ledger/charge.ts). message_stop's usage chunk supersedes this one.
        return [Object.assign(delta({ role: 'assistant', content: '' }), { usage: mapUsage(usage) })];
      case 'content_block_start': {
        const block = data.content_block;
        if (block?.type === 'tool_use') {
          const index = toolIndex.size;
          toolIndex.set(data.index ?? -1, index);
          return [
            delta({ tool_calls: [{ index, id: block.id ?? '', type: 'function', function: { name: block.name ?? '', arguments: '' } }] }),
          ];
        }
        // Text blocks start empty; should one ever carry text, it is content like any delta.
        if (block?.type === 'text' && block.text) return [delta({ content: block.text })];
        return [];
      }
      case 'content_block_delta': {
        const d = data.delta;
        if (d?.type === 'text_delta' && d.text) return [delta({ content: d.text })];
        if (d?.type === 'input_json_delta' && d.partial_json) {
          const index = toolIndex.get(data.index ?? -1);
          if (index === undefined) return [];
          return [delta({ tool_calls: [{ index, function: { arguments: d.partial_json } }] })];
        }
        // thinking_delta, signature_delta, citations_delta: no Chat Completions equivalent.
        return [];
      }
      case 'message_delta':
        remember(data.usage);
        return data.delta?.stop_reason ? [delta({}, mapStopReason(data.delta.stop_reason))] : [];
      case 'message_stop':
        stopped = true;
        // Like OpenAI's stream_options.include_usage chunk: no choices, only usage.
        return [chunk([], { usage: mapUsage(usage) })];
      case 'error':
        throw streamError(data);
      default:
        // ping, content_block_stop, and event types Anthropic may add later ("handle unknown
        // events gracefully", per the streaming spec).
        return [];
    }
  }

  return {
    push(event: SseEvent): ChatCompletionChunk[] {
      if (stopped) return [];
      let data: EventData;
      try {
        data = JSON.parse(event.data) as EventData;
      } catch {
        throw badStreamEvent(event.event ?? 'stream');
      }
      if (data === null || typeof data !== 'object') throw badStreamEvent(event.event ?? 'stream');
      return handle(data.type ?? event.event ?? '', data);
    },
    ended: () => stopped,
    end(): ChatCompletionChunk[] {
      if (!stopped) throw streamEndedEarly();
      return [];
    },
  };
}

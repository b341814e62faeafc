// Test-only helpers: load recorded fixtures, replay SSE event arrays, reassemble OpenAI chunks.
// Not imported by the adapter itself.
import { readFileSync } from 'node:fs';
import type { ChatCompletionChunk, FinishReason, ToolCall, Usage } from '../../openai/types.js';
import type { SseEvent, StreamTranslator } from '../../../providers/types.js';

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Recorded streams are stored as {event, data: object}; the gateway hands adapters data text. */
export function sseEvents(name: string): SseEvent[] {
  return fixture<{ event: string; data: unknown }[]>(name).map((e) => ({ event: e.event, data: JSON.stringify(e.data) }));
}

export function replay(translator: StreamTranslator, events: SseEvent[]): ChatCompletionChunk[] {
  return [...events.flatMap((e) => translator.push(e)), ...translator.end()];
}

export interface Reassembled {
  ids: Set<string>;
  models: Set<string>;
  role: string | undefined;
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  usage: Usage | null | undefined;
}

/** Folds chunks the way an OpenAI client does (tool call deltas keyed by index). */
export function reassemble(chunks: ChatCompletionChunk[]): Reassembled {
  const out: Reassembled = {
    ids: new Set(),
    models: new Set(),
    role: undefined,
    content: null,
    toolCalls: [],
    finishReason: null,
    usage: undefined,
  };
  for (const c of chunks) {
    out.ids.add(c.id);
    out.models.add(c.model);
    if (c.usage) out.usage = c.usage;
    for (const choice of c.choices) {
      if (choice.delta.role) out.role = choice.delta.role;
      if (typeof choice.delta.content === 'string' && choice.delta.content !== '') {
        out.content = (out.content ?? '') + choice.delta.content;
      }
      for (const d of choice.delta.tool_calls ?? []) {
        const call = (out.toolCalls[d.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.function.name += d.function.name;
        if (d.function?.arguments) call.function.arguments += d.function.arguments;
      }
      if (choice.finish_reason) out.finishReason = choice.finish_reason;
    }
  }
  return out;
}

// Reassembles one streamed assistant turn from its chunks (pure), so the tool loop can treat
// streamed and non-streamed rounds alike.
import type { ChatCompletion, ChatCompletionChunk, FinishReason, ToolCall, Usage } from '../openai/types.js';

/** One assistant turn, however it arrived. */
export interface AssistantTurn {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  usage: Usage | undefined;
  /** The upstream completion itself (non-streamed rounds), returned untouched when nothing was added. */
  completion?: ChatCompletion;
  /** The upstream's JSON text of `completion`, when it can be sent as is. */
  completionText?: string | undefined;
  /** id/model/created of the upstream response. */
  id: string;
  model: string;
  created: number;
  /** What the upstream sent besides content, kept for the client (issue 16: nothing silently dropped). */
  refusal?: string | null | undefined;
  /** The spoken answer of a non-streamed round (`message.audio`); a stream's went to the client as it came. */
  audio?: unknown;
  logprobs?: unknown;
  systemFingerprint?: string | null | undefined;
  serviceTier?: unknown;
}

export class TurnAccumulator {
  private content = '';
  private hasContent = false;
  private readonly calls: { id: string; name: string; arguments: string }[] = [];
  private refusal = '';
  private logprobs: { content: unknown[]; refusal: unknown[] } | undefined;
  private systemFingerprint: string | null | undefined;
  private serviceTier: unknown;
  finishReason: FinishReason | null = null;
  usage: Usage | undefined;
  id = '';
  model = '';
  created = 0;

  add(chunk: ChatCompletionChunk): void {
    if (!this.id) {
      this.id = chunk.id;
      this.model = chunk.model;
      this.created = chunk.created;
    }
    if (chunk.usage) this.usage = chunk.usage;
    if (chunk.system_fingerprint != null) this.systemFingerprint = chunk.system_fingerprint;
    if (chunk.service_tier != null) this.serviceTier = chunk.service_tier;
    const choice = chunk.choices[0];
    if (!choice) return;
    const delta = choice.delta;
    if (typeof delta.refusal === 'string') this.refusal += delta.refusal;
    const lp = choice.logprobs as { content?: unknown[] | null; refusal?: unknown[] | null } | null | undefined;
    if (lp) {
      this.logprobs ??= { content: [], refusal: [] };
      for (const t of lp.content ?? []) this.logprobs.content.push(t);
      for (const t of lp.refusal ?? []) this.logprobs.refusal.push(t);
    }
    if (typeof delta.content === 'string' && delta.content) {
      this.content += delta.content;
      this.hasContent = true;
    }
    for (const d of delta.tool_calls ?? []) {
      const call = (this.calls[d.index] ??= { id: '', name: '', arguments: '' });
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  turn(): AssistantTurn {
    return {
      content: this.hasContent ? this.content : null,
      toolCalls: this.calls
        .filter(Boolean)
        .map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
      finishReason: this.finishReason,
      usage: this.usage,
      id: this.id,
      model: this.model,
      created: this.created,
      refusal: this.refusal || null,
      logprobs: this.logprobs,
      systemFingerprint: this.systemFingerprint,
      serviceTier: this.serviceTier,
    };
  }
}

export function turnFromCompletion(completion: ChatCompletion, completionText?: string): AssistantTurn {
  const choice = completion.choices[0];
  const content = choice?.message.content;
  return {
    content: typeof content === 'string' ? content : null,
    toolCalls: choice?.message.tool_calls ?? [],
    finishReason: choice?.finish_reason ?? null,
    usage: completion.usage,
    id: completion.id,
    model: completion.model,
    created: completion.created,
    completion,
    completionText,
    refusal: choice?.message.refusal,
    audio: choice?.message.audio,
    logprobs: choice?.logprobs,
    systemFingerprint: completion.system_fingerprint,
    serviceTier: completion.service_tier,
  };
}

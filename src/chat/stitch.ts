// Mixed turns: when the model calls the client's tools and MCP tools in the same turn, the gateway
// runs the MCP calls, returns only the client's calls, and remembers the hidden part. When the
// client sends the follow-up (with results for its calls), the hidden calls and their results are
// stitched back into that assistant turn, so the model sees the complete, valid history.
// Memory is per process, bounded and time-limited; a follow-up that arrives after expiry (or at
// another replica) reaches the model without the hidden part, which it treats as never called.
import type { ChatMessage, ToolCall, ToolMessage } from '../openai/types.js';

interface Hidden {
  calls: ToolCall[];
  results: ToolMessage[];
  expiresAt: number;
}

export class HiddenCalls {
  private readonly byClientCallId = new Map<string, Hidden>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byClientCallId.size;
  }

  remember(clientCalls: readonly ToolCall[], calls: ToolCall[], results: ToolMessage[]): void {
    const hidden = { calls, results, expiresAt: this.now() + this.ttlMs };
    for (const call of clientCalls) {
      this.byClientCallId.delete(call.id);
      this.byClientCallId.set(call.id, hidden);
    }
    // Maps iterate in insertion order: the first entries are the oldest.
    while (this.byClientCallId.size > this.maxEntries) this.byClientCallId.delete(this.byClientCallId.keys().next().value!);
  }

  /** Returns `messages` itself when nothing needs stitching (the common case costs one Map lookup per call id). */
  expand(messages: ChatMessage[]): ChatMessage[] {
    if (this.byClientCallId.size === 0) return messages;
    let out: ChatMessage[] | undefined;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const hidden = m.role === 'assistant' ? this.find(m.tool_calls) : undefined;
      if (!hidden && !out) continue;
      out ??= messages.slice(0, i);
      if (!hidden || m.role !== 'assistant') {
        out.push(m);
        continue;
      }
      out.push({ ...m, tool_calls: [...(m.tool_calls ?? []), ...hidden.calls] }, ...hidden.results);
    }
    return out ?? messages;
  }

  private find(calls: ToolCall[] | undefined): Hidden | undefined {
    for (const call of calls ?? []) {
      const hidden = this.byClientCallId.get(call.id);
      if (hidden && hidden.expiresAt > this.now()) return hidden;
    }
    return undefined;
  }
}

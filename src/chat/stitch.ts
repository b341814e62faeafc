// Mixed turns: when the model calls the client's tools and MCP tools in the same turn, the gateway
// runs the MCP calls, returns only the client's calls, and remembers the hidden part. When the
// client sends the follow-up (with results for its calls), the hidden calls and their results are
// stitched back into that assistant turn, so the model sees the complete, valid history.
//
// The hidden part is one key's data (tool results it was allowed to see), so it is remembered under
// the key that created it and stitched only into that key's later requests: a client tool-call id
// replayed by another key finds nothing. Each hidden call is also re-checked against the key's
// current allow-list, so a tool revoked since is dropped (with its result) rather than replayed.
// Memory is per process and bounded by time, entries and bytes, overall and per key (one key
// filling the store cannot evict everyone else's turns); a follow-up that arrives after expiry,
// eviction or at another replica reaches the model without the hidden part, which it treats as
// never called.
import type { ChatMessage, ToolCall, ToolMessage } from '../openai/types.js';

interface Hidden {
  owner: string;
  /** Index keys (owner + client call id) pointing at this turn. */
  keys: string[];
  calls: ToolCall[];
  results: ToolMessage[];
  bytes: number;
  expiresAt: number;
}

export interface HiddenCallLimits {
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
  /** Per key: a share of the totals, so one key cannot push every other key's turns out. */
  maxEntriesPerKey: number;
  maxBytesPerKey: number;
}

export const DEFAULT_HIDDEN_LIMITS: HiddenCallLimits = {
  ttlMs: 60 * 60 * 1000,
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxEntriesPerKey: 1_000,
  maxBytesPerKey: 8 * 1024 * 1024,
};

/** Who may see a hidden turn again: the key id, or one shared owner for keyless (open policy) requests. */
export interface HiddenOwner {
  readonly keyId: string | null;
  /** The current allow-list decision for a gateway tool name. */
  allowsTool(name: string): boolean;
}

const ownerOf = (keyId: string | null) => (keyId === null ? '\u0000open' : `k:${keyId}`);
const indexKey = (owner: string, callId: string) => `${owner}\u0000${callId}`;

export class HiddenCalls {
  private readonly limits: HiddenCallLimits;
  /** owner + client call id → turn. */
  private readonly byCall = new Map<string, Hidden>();
  /** Every turn, oldest first (insertion order; all share one TTL, so also expiry order). */
  private readonly turns = new Set<Hidden>();
  private readonly perOwner = new Map<string, Set<Hidden>>();
  private readonly ownerBytes = new Map<string, number>();
  private totalBytes = 0;

  constructor(
    limits: Partial<HiddenCallLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = Object.assign({}, DEFAULT_HIDDEN_LIMITS, limits);
  }

  /** Turns remembered (not call ids). */
  get size(): number {
    return this.turns.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  remember(keyId: string | null, clientCalls: readonly ToolCall[], calls: ToolCall[], results: ToolMessage[]): void {
    if (clientCalls.length === 0) return;
    const owner = ownerOf(keyId);
    const bytes = sizeOf(calls, results) + clientCalls.reduce((n, c) => n + c.id.length, 0);
    // Larger than a key's whole share: not remembered (the follow-up goes without the hidden part).
    if (bytes > this.limits.maxBytesPerKey || bytes > this.limits.maxBytes) return;
    this.sweepExpired();
    const keys = clientCalls.map((c) => indexKey(owner, c.id));
    for (const k of keys) {
      const old = this.byCall.get(k);
      if (old) this.drop(old);
    }
    const hidden: Hidden = { owner, keys, calls, results, bytes, expiresAt: this.now() + this.limits.ttlMs };
    let mine = this.perOwner.get(owner);
    if (!mine) this.perOwner.set(owner, (mine = new Set()));
    // This key's own oldest turns go first; only then, if the totals still overflow, the oldest of all.
    while (
      mine.size &&
      (mine.size >= this.limits.maxEntriesPerKey || (this.ownerBytes.get(owner) ?? 0) + bytes > this.limits.maxBytesPerKey)
    )
      this.drop(first(mine)!);
    while (this.turns.size && (this.turns.size >= this.limits.maxEntries || this.totalBytes + bytes > this.limits.maxBytes))
      this.drop(first(this.turns)!);
    if (!this.perOwner.has(owner)) this.perOwner.set(owner, mine);
    mine.add(hidden);
    this.turns.add(hidden);
    for (const k of keys) this.byCall.set(k, hidden);
    this.totalBytes += bytes;
    this.ownerBytes.set(owner, (this.ownerBytes.get(owner) ?? 0) + bytes);
  }

  /**
   * The history with this owner's hidden turns stitched back in. Returns `messages` itself when
   * nothing needs stitching (the common case costs one Map lookup per call id).
   */
  expand(messages: ChatMessage[], who: HiddenOwner): ChatMessage[] {
    if (this.turns.size === 0) return messages;
    const owner = ownerOf(who.keyId);
    let out: ChatMessage[] | undefined;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const hidden = m.role === 'assistant' ? this.find(owner, m.tool_calls) : undefined;
      if (!hidden && !out) continue;
      out ??= messages.slice(0, i);
      if (!hidden || m.role !== 'assistant') {
        out.push(m);
        continue;
      }
      const calls = hidden.calls.filter((c) => who.allowsTool(c.function.name));
      const ids = new Set(calls.map((c) => c.id));
      const results = hidden.results.filter((r) => ids.has(r.tool_call_id));
      out.push(Object.assign({}, m, { tool_calls: [...(m.tool_calls ?? []), ...calls] }), ...results);
    }
    return out ?? messages;
  }

  /**
   * The hidden part of the turn in which the client's calls `callIds` were made (filtered like
   * expand), for surfaces that stitch their own format back together (Messages); undefined if none.
   */
  lookup(callIds: readonly string[], who: HiddenOwner): { calls: ToolCall[]; results: ToolMessage[] } | undefined {
    if (this.turns.size === 0) return undefined;
    const owner = ownerOf(who.keyId);
    for (const id of callIds) {
      const hidden = this.byCall.get(indexKey(owner, id));
      if (!hidden || hidden.expiresAt <= this.now()) continue;
      const calls = hidden.calls.filter((c) => who.allowsTool(c.function.name));
      const ids = new Set(calls.map((c) => c.id));
      return { calls, results: hidden.results.filter((r) => ids.has(r.tool_call_id)) };
    }
    return undefined;
  }

  private find(owner: string, calls: ToolCall[] | undefined): Hidden | undefined {
    if (!calls) return undefined;
    for (const call of calls) {
      const hidden = this.byCall.get(indexKey(owner, call.id));
      if (hidden && hidden.expiresAt > this.now()) return hidden;
    }
    return undefined;
  }

  private sweepExpired(): void {
    const now = this.now();
    for (const t of this.turns) {
      if (t.expiresAt > now) break;
      this.drop(t);
    }
  }

  private drop(hidden: Hidden): void {
    if (!this.turns.delete(hidden)) return;
    for (const k of hidden.keys) if (this.byCall.get(k) === hidden) this.byCall.delete(k);
    const mine = this.perOwner.get(hidden.owner);
    mine?.delete(hidden);
    const left = (this.ownerBytes.get(hidden.owner) ?? 0) - hidden.bytes;
    if (mine && mine.size === 0) {
      this.perOwner.delete(hidden.owner);
      this.ownerBytes.delete(hidden.owner);
    } else this.ownerBytes.set(hidden.owner, left);
    this.totalBytes -= hidden.bytes;
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}

/** UTF-16 length as a byte estimate: what the strings cost in memory, near enough for a bound. */
function sizeOf(calls: readonly ToolCall[], results: readonly ToolMessage[]): number {
  let n = 0;
  for (const c of calls) n += 64 + c.id.length + c.function.name.length + c.function.arguments.length;
  for (const r of results) n += 64 + r.tool_call_id.length + contentLength(r.content);
  return n * 2;
}

function contentLength(content: ToolMessage['content']): number {
  if (typeof content === 'string') return content.length;
  let n = 0;
  for (const part of content ?? []) n += JSON.stringify(part).length;
  return n;
}

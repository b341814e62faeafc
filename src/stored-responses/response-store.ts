// Responses the gateway stored itself (store: true, the API's default), for previous_response_id,
// GET and DELETE. A translated upstream has no store of its own, so the gateway keeps the
// conversation as chat messages next to the response object. Per key: another key's id is
// "not found", never its content. Bounded: entries expire after `ttlMs`, and beyond `maxEntries`
// (overall) or `maxEntriesPerKey` the oldest go first, so one key cannot evict everyone else's.
// Memory is per process: a follow-up sent to another replica does not find it (README says so).
import type { ChatMessage } from '../openai/types.js';
import type { ResponseObject } from '../wire/responses/types.js';

export interface StoredResponse {
  id: string;
  keyId: string | null;
  response: ResponseObject;
  /** The conversation after this response, in chat terms, without the request's instructions. */
  messages: ChatMessage[];
}

export interface ResponseStore {
  get(id: string, keyId: string | null): StoredResponse | undefined;
  put(entry: StoredResponse): void;
  /** True when it existed (for this key). */
  delete(id: string, keyId: string | null): boolean;
}

export interface ResponseStoreLimits {
  ttlMs: number;
  maxEntries: number;
  maxEntriesPerKey: number;
}

export const DEFAULT_RESPONSE_LIMITS: ResponseStoreLimits = { ttlMs: 24 * 60 * 60 * 1000, maxEntries: 20_000, maxEntriesPerKey: 2_000 };

interface Entry {
  value: StoredResponse;
  expiresAt: number;
}

export function createMemoryResponseStore(limits = DEFAULT_RESPONSE_LIMITS, now: () => number = Date.now): ResponseStore {
  const byId = new Map<string, Entry>();
  const perKey = new Map<string, Set<string>>();
  const ownerOf = (keyId: string | null) => keyId ?? '';

  function remove(id: string): void {
    const entry = byId.get(id);
    if (!entry) return;
    byId.delete(id);
    const owned = perKey.get(ownerOf(entry.value.keyId));
    owned?.delete(id);
    if (owned?.size === 0) perKey.delete(ownerOf(entry.value.keyId));
  }

  return {
    get(id, keyId) {
      const entry = byId.get(id);
      if (!entry || entry.value.keyId !== keyId) return undefined;
      if (entry.expiresAt <= now()) {
        remove(id);
        return undefined;
      }
      return entry.value;
    },
    put(value) {
      remove(value.id);
      byId.set(value.id, { value, expiresAt: now() + limits.ttlMs });
      const owner = ownerOf(value.keyId);
      let owned = perKey.get(owner);
      if (!owned) perKey.set(owner, (owned = new Set()));
      owned.add(value.id);
      // Sets and Maps iterate in insertion order: the first entries are the oldest.
      while (owned.size > limits.maxEntriesPerKey) remove(owned.values().next().value!);
      while (byId.size > limits.maxEntries) remove(byId.keys().next().value!);
    },
    delete(id, keyId) {
      const found = this.get(id, keyId) !== undefined;
      if (found) remove(id);
      return found;
    },
  };
}

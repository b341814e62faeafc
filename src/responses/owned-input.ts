// Input a native Responses upstream reads from its store by id, for any key: every key's requests
// go to the provider's one account, whose store holds every key's responses, items and
// conversations, so an id the gateway did not hand to this key could pull another key's content
// into this key's answer. `previous_response_id` is checked per key (handler.ts); the same holds for
// - an `item_reference`: found only among the output items the key was shown of its own stored
//   responses (kept with them, bounded as they are: responses.maxStoredPerKey and storedTtlMs);
// - a `conversation`: the gateway serves no /v1/conversations, so no conversation was made through
//   it for any key, and every id is someone else's: refused, as OpenAI answers an unknown one.
// Under a budget both are refused before this for another reason (stored-input.ts).
import { invalidRequest } from '../errors.js';
import type { ResponseStore } from '../stored-responses/response-store.js';
import type { ResponsesRequest } from '../wire/responses/types.js';

/** Undefined (no wait) when the request names no item_reference, as most do; else the store's answer. */
export function refuseOthersStoredInput(req: ResponsesRequest, store: ResponseStore, keyId: string | null): Promise<void> | undefined {
  const conversation = (req as { conversation?: unknown }).conversation;
  if (conversation !== undefined && conversation !== null) {
    const id = typeof conversation === 'object' ? (conversation as { id?: unknown }).id : conversation;
    throw invalidRequest(
      `Conversation with id '${String(id)}' not found. The gateway keeps no conversations: continue with previous_response_id, or send the items.`,
      'conversation',
    );
  }
  if (!Array.isArray(req.input)) return undefined;
  // A look at each item's type (Codex sends hundreds), not a scan of the body's text.
  for (const item of req.input) if ((item as { type?: unknown }).type === 'item_reference') return checkReferences(req.input, store, keyId);
  return undefined;
}

async function checkReferences(input: readonly unknown[], store: ResponseStore, keyId: string | null): Promise<void> {
  for (let i = 0; i < input.length; i++) {
    const item = input[i] as { type?: unknown; id?: unknown };
    if (item.type !== 'item_reference') continue;
    if (typeof item.id !== 'string' || !(await store.ownsItem(item.id, keyId)))
      throw invalidRequest(`Item with id '${String(item.id)}' not found.`, `input[${i}]`);
  }
}

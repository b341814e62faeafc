// Input a native Responses upstream reads from its store by id, for any key: every key's requests
// go to the provider's one account, whose store holds every key's responses, items and
// conversations, so an id the gateway did not hand to this key could pull another key's content
// into this key's answer. `previous_response_id` is checked per key (handler.ts); the same holds for
// - an `item_reference`: found only among the output items the key was shown of its own stored
//   responses (kept with them, bounded as they are: responses.maxStoredPerKey and storedTtlMs);
// - a `reasoning` item sent back without its `encrypted_content`: the upstream reads it by its id
//   from the store (its encrypted content, which the model then reasons on), so it is an item
//   reference too and held the same way (with encrypted_content it carries itself: sent as it came);
// - an `image_generation_call` sent back without its `result` (OpenAI's multi-turn image editing:
//   `{"type": "image_generation_call", "id": "ig_…"}`): the upstream reads the image by its id from
//   the store and edits or describes it, so it is held the same way (with its result: as it came);
// - any other item sent by its id with nothing of its own (`{"type": "compaction", "id": …}`, a
//   message with no content, a web_search_call, an mcp_list_tools…: every field its type says
//   anything in absent or empty, SAYS): whatever the upstream makes of it, it can only be what its
//   store holds under that id, so it is held the same way;
// - a `conversation`: the gateway serves no /v1/conversations, so no conversation was made through
//   it for any key, and every id is someone else's: refused, as OpenAI answers an unknown one.
// Under a budget a conversation is refused before this for another reason (stored-input.ts). An
// item by id is not (the Agents SDK sends reasoning back every turn): it is bounded by what the
// gateway recorded of it when it showed it (reasoning-size.ts), and refused under a budget only
// when that is unknown (shown by an earlier version, or made by the gateway); an
// image_generation_call by id counts as an image in the bound instead (wire/responses/images.ts).
import { invalidRequest } from '../errors.js';
import { storedInputUnderBudget } from '../governance/remote-input.js';
import type { ResponseStore } from '../stored-responses/response-store.js';
import type { ResponsesRequest } from '../wire/responses/types.js';

/**
 * Undefined (no wait) when the request names no stored item by id, as most do; else the store's
 * answer: the input tokens its items by id add (their recorded sizes).
 */
export function refuseOthersStoredInput(
  req: ResponsesRequest,
  store: ResponseStore,
  keyId: string | null,
  budgeted: boolean,
): Promise<number> | undefined {
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
  for (const item of req.input) if (byIdOnly(item as StoredRef)) return checkReferences(req.input, store, keyId, budgeted);
  return undefined;
}

export interface StoredRef {
  type?: unknown;
  id?: unknown;
  encrypted_content?: unknown;
  result?: unknown;
}

/**
 * An item the upstream reads from its store by id: an item_reference, reasoning without its
 * encrypted content, an image generation call without its image, any other item with nothing but
 * its id (and labels).
 */
export function byIdOnly(item: StoredRef): boolean {
  if (item.type === 'item_reference') return true;
  if (item.id === undefined) return false;
  if (item.type === 'reasoning') return !item.encrypted_content;
  if (item.type === 'image_generation_call') return !item.result;
  return item.id !== null && carriesNothing(item as Record<string, unknown>);
}

/**
 * What each input item type says, by its fields (openai-node's ResponseInputItem: the required
 * ones but those that name or place it): it carries itself when one of them holds something. A field
 * of no such name (`{"type": "compaction", "id": …, "x": 1}`) holds nothing of it, so cannot
 * make an item by id pass as carrying itself. A type not listed carries itself when any field but
 * type, id, status, role and phase holds something.
 */
const SAYS: Record<string, readonly string[]> = {
  message: ['content'],
  file_search_call: ['queries', 'results'],
  computer_call: ['call_id', 'action', 'actions', 'pending_safety_checks'],
  computer_call_output: ['call_id', 'output'],
  web_search_call: ['action'],
  function_call: ['call_id', 'name', 'arguments'],
  function_call_output: ['call_id', 'output'],
  tool_search_call: ['call_id', 'arguments'],
  tool_search_output: ['call_id', 'tools'],
  additional_tools: ['tools'],
  compaction: ['encrypted_content'],
  code_interpreter_call: ['code', 'container_id', 'outputs'],
  local_shell_call: ['call_id', 'action'],
  local_shell_call_output: ['output'],
  shell_call: ['call_id', 'action'],
  shell_call_output: ['call_id', 'output'],
  apply_patch_call: ['call_id', 'operation'],
  apply_patch_call_output: ['call_id', 'output'],
  mcp_list_tools: ['server_label', 'tools', 'error'],
  mcp_approval_request: ['server_label', 'name', 'arguments'],
  mcp_approval_response: ['approval_request_id', 'approve'],
  mcp_call: ['server_label', 'name', 'arguments', 'output', 'error'],
  custom_tool_call: ['call_id', 'name', 'input'],
  custom_tool_call_output: ['call_id', 'output'],
  program: ['call_id', 'code', 'fingerprint'],
  program_output: ['call_id', 'result'],
};
const LABELS = new Set(['type', 'id', 'status', 'role', 'phase']);

function carriesNothing(item: Record<string, unknown>): boolean {
  const type = item.type ?? 'message';
  const says = typeof type === 'string' && Object.hasOwn(SAYS, type) ? SAYS[type]! : undefined;
  if (says) return says.every((key) => empty(item[key]));
  for (const key in item) if (!LABELS.has(key) && !empty(item[key])) return false;
  return true;
}

const empty = (value: unknown) =>
  value === undefined || value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0);

async function checkReferences(input: readonly unknown[], store: ResponseStore, keyId: string | null, budgeted: boolean): Promise<number> {
  let tokens = 0;
  for (let i = 0; i < input.length; i++) {
    const item = input[i] as StoredRef;
    if (!byIdOnly(item)) continue;
    const shown = typeof item.id === 'string' ? await store.shownItem(item.id, keyId) : undefined;
    if (!shown) throw invalidRequest(`Item with id '${String(item.id)}' not found.`, `input[${i}]`);
    // An image by id is bounded as an image (wire/responses/images.ts).
    if (item.type === 'image_generation_call') continue;
    if (shown.tokens !== undefined) tokens += shown.tokens;
    else if (budgeted) throw unrecorded(item, i);
  }
  return tokens;
}

function unrecorded(item: StoredRef, i: number) {
  const what =
    item.type === 'reasoning'
      ? 'a reasoning item by id'
      : item.type === 'item_reference'
        ? 'an item_reference'
        : `an item by id (${typeof item.type === 'string' ? item.type : 'no type'})`;
  return storedInputUnderBudget(
    `input[${i}]`,
    `${what} whose size the gateway did not record`,
    item.type === 'reasoning'
      ? 'send it with its encrypted_content, or continue with previous_response_id'
      : 'send the item itself, or continue with previous_response_id',
  );
}

/**
 * A response id the client chooses: vLLM's Responses API takes a `request_id` extra parameter and
 * answers (and stores the response in its own store) under it. Naming another key's stored response
 * would overwrite that response upstream, so the owner's GET and follow-ups would read this key's
 * instead: refused, nothing sent. Undefined (no wait) without one, as almost every request.
 */
export function refuseOthersResponseId(req: ResponsesRequest, store: ResponseStore, keyId: string | null): Promise<void> | undefined {
  const id = (req as { request_id?: unknown }).request_id;
  if (typeof id !== 'string') return undefined;
  return store.heldByOther(id, keyId).then((taken) => {
    if (taken) throw invalidRequest(`request_id '${id}' is another response's id.`, 'request_id');
  });
}

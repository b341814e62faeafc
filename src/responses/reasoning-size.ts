// Items a native Responses upstream stores: sent back by id alone (a reasoning item without its
// encrypted_content, as the Agents SDK sends them every turn; an item_reference; any item with
// nothing but its id: owned-input.ts), the upstream reads them from its store and bills them as
// input, which the item's few bytes do not bound. So the gateway records, for each output item it
// shows a key, the most it can add: for reasoning, the output tokens of the round that made it
// (its reasoning included); for any other item (a message, a tool call, a hosted tool's results, a
// compaction), everything the round was billed, input and output, which holds whatever the item
// says; as reported, else what the round reserved; plus an item's overhead. An
// image_generation_call is bounded as an image instead (wire/responses/images.ts): none recorded.
// Kept with the stored response (native-run.ts: UpstreamResponseRef.itemTokens) and added to the
// input bound when the item comes back (owned-input.ts), and when the gateway's own tool loop sends
// reasoning back in its next round (byIdTokens). Pure.
import type { AttemptPlan } from '../governance/attempt-budget.js';
import { MESSAGE_OVERHEAD } from '../governance/prompt-bound.js';
import type { ResponsesTurn } from '../wire/responses/native-turn.js';
import type { OtherItem } from '../wire/responses/types.js';
import { byIdOnly, type StoredRef } from './owned-input.js';

/** The output items of a round, each with the most input tokens it adds when sent back by id. */
export function noteItems(sizes: Map<string, number> | undefined, turn: ResponsesTurn, plan: AttemptPlan): Map<string, number> | undefined {
  const u = turn.rawUsage;
  const known = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
  const output = known(u?.output_tokens) ? Math.max(u.output_tokens, 0) : plan.outputTokens;
  const input = known(u?.input_tokens) && known(u?.output_tokens) ? Math.max(u.input_tokens, 0) : plan.promptTokens;
  for (const item of turn.output) {
    if (typeof item.id !== 'string' || item.type === 'image_generation_call') continue;
    const tokens = item.type === 'reasoning' ? output : input + output;
    (sizes ??= new Map()).set(item.id, tokens + MESSAGE_OVERHEAD);
  }
  return sizes;
}

/**
 * The gateway's own tool loop sends a round's output items back in the next round's input: reasoning
 * by id when it came without encrypted_content (store not false), and any item the upstream gave
 * with nothing but its id, so the upstream bills what it stored. `held` plus the recorded size of
 * each such item of `output`, for every later round's bound.
 */
export function byIdTokens(
  held: number | undefined,
  output: readonly OtherItem[],
  sizes: Map<string, number> | undefined,
): number | undefined {
  for (const item of output)
    if (typeof item.id === 'string' && byIdOnly(item as StoredRef)) held = (held ?? 0) + (sizes?.get(item.id) ?? 0);
  return held;
}

/** The recorded sizes of the items shown; undefined when there are none. */
export function shownSizes(sizes: Map<string, number> | undefined, shown: readonly unknown[]): Record<string, number> | undefined {
  if (!sizes) return undefined;
  let out: Record<string, number> | undefined;
  for (const item of shown) {
    const id = (item as { id?: unknown }).id;
    const tokens = typeof id === 'string' ? sizes.get(id) : undefined;
    if (tokens !== undefined) (out ??= {})[id as string] = tokens;
  }
  return out;
}

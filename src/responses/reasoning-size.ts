// Reasoning items a native Responses upstream stores: sent back by id alone (without their
// encrypted_content; the Agents SDK sends them back every turn), the upstream reads them from its
// store and bills them as input, which the item's few bytes do not bound. So the gateway records,
// for each reasoning item it shows a key, the most it can add: the output tokens of the round that
// made it (its reasoning included), as reported, else the output cap the round reserved, plus an
// item's overhead. Kept with the stored response (native-run.ts: UpstreamResponseRef.itemTokens) and
// added to the input bound when the item comes back (owned-input.ts), and when the gateway's own
// tool loop sends it back in its next round (byIdTokens). Pure.
import type { AttemptPlan } from '../governance/attempt-budget.js';
import { MESSAGE_OVERHEAD } from '../governance/prompt-bound.js';
import type { ResponsesTurn } from '../wire/responses/native-turn.js';
import type { OtherItem } from '../wire/responses/types.js';

/** The reasoning items of a round, each with the most input tokens it adds when sent back by id. */
export function noteReasoning(
  sizes: Map<string, number> | undefined,
  turn: ResponsesTurn,
  plan: AttemptPlan,
): Map<string, number> | undefined {
  for (const item of turn.output) {
    if (item.type !== 'reasoning' || typeof item.id !== 'string') continue;
    const output = turn.rawUsage?.output_tokens;
    const tokens = typeof output === 'number' && Number.isFinite(output) ? Math.max(output, 0) : plan.outputTokens;
    (sizes ??= new Map()).set(item.id, tokens + MESSAGE_OVERHEAD);
  }
  return sizes;
}

/**
 * The gateway's own tool loop sends a round's reasoning items back in the next round's input: by id
 * when they came without encrypted_content (store not false), so the upstream bills what it stored.
 * `held` plus the recorded size of each such item of `output`, for every later round's bound.
 */
export function byIdTokens(
  held: number | undefined,
  output: readonly OtherItem[],
  sizes: Map<string, number> | undefined,
): number | undefined {
  for (const item of output)
    if (item.type === 'reasoning' && !item.encrypted_content && typeof item.id === 'string')
      held = (held ?? 0) + (sizes?.get(item.id) ?? 0);
  return held;
}

/** The sizes of the reasoning items among the items shown; undefined when there are none. */
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

// Anthropic's server-side compaction (a `compact_…` edit in `context_management.edits`, beta
// `compact-2026-01-12`, https://platform.claude.com/docs/en/build-with-claude/compaction): once the
// prompt passes the edit's trigger, the API samples once more inside the same request to summarise
// the conversation, and bills that step as its own entry of `usage.iterations`, which the top-level
// usage (what the gateway settles from) leaves out; with server tools it may compact more than once
// a request. Such a call is billed its prompt again plus a summary no cap sent bounds, and reports
// neither where the gateway reads usage: under a budget it is refused before anything is sent, like
// the other ways a pass-through body is billed past what the gateway reserves (long-context.ts,
// premium-rates.ts). Other context edits (clearing tool results or thinking) only shorten the
// prompt and go as sent. Pure.
import { GatewayError } from '../../errors.js';
import { compactionType } from '../compaction-entry.js';

export function refuseCompaction(body: Readonly<Record<string, unknown>>): void {
  const type = compactionType((body.context_management as { edits?: unknown } | null | undefined)?.edits);
  if (type === undefined) return;
  throw new GatewayError({
    status: 403,
    type: 'model_blocked',
    code: 'model_unpriced',
    param: 'context_management',
    message: `context_management edit ${type} runs a summarising call billed apart from the usage the answer reports, so a budget cannot hold it: leave it out`,
  });
}

// OpenAI's server-side compaction on a native Responses pass-through (`context_management:
// [{"type": "compaction", "compact_threshold": …}]`, https://developers.openai.com/api/docs/guides/compaction):
// past the threshold the upstream runs a compaction pass over the whole context inside the request
// and answers from the compacted context. That pass reads the prompt once more and writes a
// compaction item no cap sent bounds, so the reservation (the prompt once, the output cap) is no
// upper bound of the call: under a budget it is refused before anything is sent, as Anthropic's
// compaction is on /v1/messages (wire/messages/compaction.ts). A translated request cannot carry
// it (wire/responses/to-chat.ts refuses the field).
import { GatewayError } from '../errors.js';
import { compactionType } from '../wire/compaction-entry.js';
import type { ResponsesRequest } from '../wire/responses/types.js';

export function refuseCompactionUnderBudget(req: ResponsesRequest, budgeted: boolean): void {
  const type = budgeted ? compactionType(req.context_management) : undefined;
  if (type === undefined) return;
  throw new GatewayError({
    status: 403,
    type: 'model_blocked',
    code: 'model_unpriced',
    param: 'context_management',
    message: `context_management ${type} runs a compaction pass over the whole context that no cap bounds, so a budget cannot hold it: leave it out`,
  });
}

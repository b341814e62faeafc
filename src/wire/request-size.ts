// Bounded work per request (issue 15): a body may carry at most `requestLimits.maxMessages`
// messages and `maxContentParts` content parts/blocks in all, whatever its wire format. Checked on
// the parsed JSON before validation, in one pass linear in the number of messages.
import { invalidRequest } from '../errors.js';

export interface RequestLimits {
  maxMessages: number;
  maxContentParts: number;
}

export function checkRequestSize(body: unknown, limits: RequestLimits, listKey = 'messages'): void {
  const list = (body as Record<string, unknown> | null)?.[listKey];
  if (!Array.isArray(list)) return;
  if (list.length > limits.maxMessages)
    throw invalidRequest(
      `${listKey}: ${list.length} messages exceed this gateway's limit of ${limits.maxMessages}`,
      listKey,
      'too_many_messages',
    );
  let parts = 0;
  for (const m of list) {
    const c = (m as { content?: unknown } | null)?.content;
    if (Array.isArray(c)) parts += c.length;
    // A Responses function_call_output's output may be a list of parts too: counted alike, else a
    // 4 MiB body of 320,000 of them kept the schema busy ~0.5 s while the caps said 100,000.
    const o = listKey === 'input' ? (m as { output?: unknown } | null)?.output : undefined;
    if (Array.isArray(o)) parts += o.length;
  }
  if (parts > limits.maxContentParts)
    throw invalidRequest(
      `${listKey}: ${parts} content parts exceed this gateway's limit of ${limits.maxContentParts}`,
      listKey,
      'too_many_content_parts',
    );
}

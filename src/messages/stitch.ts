// Mixed turns on the Messages surface (chat: src/chat/stitch.ts, whose memory this reuses): when the
// client's follow-up replays an assistant turn whose client tool calls were made beside gateway
// calls, the hidden tool_use blocks go back at the end of that turn and their tool_result blocks at
// the start of the next user turn (Anthropic wants results first). Linear: one lookup per turn.
import type { HiddenCalls, HiddenOwner } from '../chat/stitch.js';
import { toolInput } from '../wire/messages/from-chat-response.js';
import type { ContentBlock, MessageParam } from '../wire/messages/types.js';

const blocksOf = (content: MessageParam['content']): ContentBlock[] =>
  typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content;

/** `messages` itself when nothing is hidden for this owner; otherwise a stitched copy. */
export function stitchMessages(messages: MessageParam[], hidden: HiddenCalls, who: HiddenOwner): MessageParam[] {
  if (hidden.size === 0) return messages;
  let out: MessageParam[] | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const ids =
      m.role === 'assistant' && Array.isArray(m.content) ? m.content.filter((b) => b.type === 'tool_use').map((b) => String(b.id)) : [];
    const found = ids.length ? hidden.lookup(ids, who) : undefined;
    if (!found?.calls.length) {
      out?.push(m);
      continue;
    }
    out ??= messages.slice(0, i);
    out.push({
      ...m,
      content: [
        ...blocksOf(m.content),
        ...found.calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.function.name, input: toolInput(c.function.arguments) })),
      ],
    });
    const results: ContentBlock[] = found.results.map((r) => ({
      type: 'tool_result',
      tool_use_id: r.tool_call_id,
      content: r.content as string,
    }));
    const next = messages[i + 1];
    if (next?.role === 'user') {
      out.push({ ...next, content: [...results, ...blocksOf(next.content)] });
      i++;
    } else out.push({ role: 'user', content: results });
  }
  return out ?? messages;
}

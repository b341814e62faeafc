// A cheap upper-bound-ish size of a prompt, for budget reservations (no tokenizer on the hot path).
import type { ChatRequest, ContentPart, FunctionTool } from '../openai/types.js';

/** Tool definitions are shared objects built once; their size is computed once too. */
const toolChars = new WeakMap<FunctionTool, number>();

function sizeOfTool(tool: FunctionTool): number {
  let n = toolChars.get(tool);
  if (n === undefined) {
    n =
      tool.function.name.length +
      (tool.function.description?.length ?? 0) +
      (tool.function.parameters ? JSON.stringify(tool.function.parameters).length : 0);
    toolChars.set(tool, n);
  }
  return n;
}

/** Images are billed by size, not by URL length; a fixed allowance keeps reservations honest. */
const IMAGE_CHARS = 3000;

function partsChars(content: string | ContentPart[] | null | undefined): number {
  if (!content) return 0;
  if (typeof content === 'string') return content.length;
  let n = 0;
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string') n += part.text.length;
    else if (part.type === 'image_url') n += IMAGE_CHARS;
  }
  return n;
}

export function estimatePromptChars(req: ChatRequest): number {
  let n = 0;
  for (const m of req.messages) {
    n += 8 + partsChars(m.content as string | ContentPart[] | null | undefined);
    if (m.role === 'assistant') for (const call of m.tool_calls ?? []) n += call.function.name.length + call.function.arguments.length + 16;
  }
  for (const tool of req.tools ?? []) n += sizeOfTool(tool);
  return n;
}

// What the gateway adds to a Responses body it passes through (pure): its MCP tools as Responses
// function tools, and conversation it holds in chat terms (a stored translated response, approved
// calls, a mixed turn's hidden calls) as input items.
// https://platform.openai.com/docs/api-reference/responses/create
import type { ChatMessage, FunctionTool, ToolCall } from '../../openai/types.js';
import type { ContentPart, FunctionToolDef, InputItem, ResponsesRequest } from './types.js';

/** `input` as items (a string is one user message). */
export function inputItems(req: ResponsesRequest): InputItem[] {
  if (typeof req.input === 'string') return [{ type: 'message', role: 'user', content: req.input }];
  return req.input ? [...req.input] : [];
}

export function functionToolDef(tool: FunctionTool): FunctionToolDef {
  const f = tool.function;
  return {
    type: 'function',
    name: f.name,
    ...(f.description ? { description: f.description } : {}),
    parameters: (f.parameters as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
    strict: f.strict ?? false,
  };
}

export function functionCallInput(call: ToolCall): InputItem {
  return { type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments };
}

export function functionOutputInput(callId: string, content: unknown): InputItem {
  return { type: 'function_call_output', call_id: callId, output: typeof content === 'string' ? content : JSON.stringify(content) };
}

/**
 * Chat messages as input items. `withCalls` false leaves assistant tool calls out (the upstream
 * already holds them: it stored the response that made them).
 */
export function chatToItems(messages: readonly ChatMessage[], withCalls = true): InputItem[] {
  const items: InputItem[] = [];
  for (const m of messages) {
    if (m.role === 'tool') items.push(functionOutputInput(m.tool_call_id, m.content ?? ''));
    else if (m.role === 'assistant') {
      const text = typeof m.content === 'string' ? m.content : '';
      if (text) items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
      if (withCalls) for (const c of m.tool_calls ?? []) items.push(functionCallInput(c));
    } else {
      const content = typeof m.content === 'string' ? m.content : chatParts(m.content);
      items.push({ type: 'message', role: m.role, content });
    }
  }
  return items;
}

function chatParts(parts: unknown): ContentPart[] {
  if (!Array.isArray(parts)) return [];
  return parts.flatMap(
    (p: { type?: string; text?: string; image_url?: { url: string; detail?: 'auto' | 'low' | 'high' } }): ContentPart[] => {
      if (p.type === 'text') return [{ type: 'input_text', text: p.text ?? '' }];
      if (p.type === 'image_url' && p.image_url)
        return [{ type: 'input_image', image_url: p.image_url.url, ...(p.image_url.detail ? { detail: p.image_url.detail } : {}) }];
      return [];
    },
  );
}

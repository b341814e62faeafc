// Chat Completions answer → Responses output (pure): an assistant turn becomes output items
// (reasoning, message, function calls), chat usage becomes Responses usage, and the finish reason
// becomes the response status. The Response object itself is assembled here too.
// https://platform.openai.com/docs/api-reference/responses/object
import { randomBytes } from 'node:crypto';
import type { FinishReason, ToolCall, Usage } from '../../openai/types.js';
import type { OutputItem, ResponseObject, ResponseStatus, ResponsesRequest, ResponseUsage } from './types.js';

/** OpenAI-style ids: a prefix and 48 hex digits (resp_…, msg_…, fc_…, mcp_…, mcpr_…, rs_…). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

export interface TurnParts {
  content: string | null;
  refusal?: string | null | undefined;
  /** Reasoning text some chat upstreams return (`reasoning_content`, `reasoning`). */
  reasoning?: string | null | undefined;
  toolCalls: readonly ToolCall[];
}

/** The items of one assistant turn, in the order the Responses API gives them. */
export function turnItems(turn: TurnParts, id: (prefix: string) => string = newId): OutputItem[] {
  const items: OutputItem[] = [];
  if (turn.reasoning)
    items.push({ type: 'reasoning', id: id('rs'), summary: [], content: [{ type: 'reasoning_text', text: turn.reasoning }] });
  if (turn.content || turn.refusal) items.push(messageItem(id('msg'), turn.content ?? '', turn.refusal));
  for (const call of turn.toolCalls) items.push(functionCallItem(id('fc'), call));
  return items;
}

export function messageItem(id: string, text: string, refusal?: string | null): OutputItem {
  return {
    type: 'message',
    id,
    role: 'assistant',
    status: 'completed',
    content: [
      ...(text || !refusal ? [{ type: 'output_text' as const, text, annotations: [], logprobs: [] }] : []),
      ...(refusal ? [{ type: 'refusal' as const, refusal }] : []),
    ],
  };
}

export function functionCallItem(id: string, call: ToolCall): OutputItem {
  return { type: 'function_call', id, call_id: call.id, name: call.function.name, arguments: call.function.arguments, status: 'completed' };
}

export function toResponsesUsage(usage: Usage | undefined): ResponseUsage | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens || usage.prompt_tokens + usage.completion_tokens,
  };
}

/** Responses usage → chat usage (native upstreams report Responses usage; the ledger reads chat's). */
export function toChatUsage(usage: Partial<ResponseUsage> | null | undefined): Usage | undefined {
  if (!usage || typeof usage.input_tokens !== 'number') return undefined;
  const prompt = usage.input_tokens;
  const completion = usage.output_tokens ?? 0;
  const cached = usage.input_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.output_tokens_details?.reasoning_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.total_tokens ?? prompt + completion,
    ...(cached ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(reasoning ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
  };
}

export function statusOf(finish: FinishReason | null): { status: ResponseStatus; incomplete: ResponseObject['incomplete_details'] } {
  if (finish === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

export interface ResponseShell {
  id: string;
  createdAt: number;
  model: string;
  request: ResponsesRequest;
}

/** The Response object echoing the request's settings, as the API returns it. */
export function responseObject(
  shell: ResponseShell,
  state: { status: ResponseStatus; incomplete?: ResponseObject['incomplete_details']; output: OutputItem[]; usage: ResponseUsage | null },
): ResponseObject {
  const req = shell.request;
  return {
    id: shell.id,
    object: 'response',
    created_at: shell.createdAt,
    status: state.status,
    error: null,
    incomplete_details: state.incomplete ?? null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: shell.model,
    output: state.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    store: req.store ?? true,
    temperature: req.temperature ?? 1,
    text: { format: req.text?.format ?? { type: 'text' } },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    top_p: req.top_p ?? 1,
    truncation: 'disabled',
    usage: state.usage,
    user: req.user ?? null,
    metadata: req.metadata ?? {},
  };
}

/** The assistant turn that output items stand for, for storing a conversation as chat messages. */
export function outputText(output: readonly OutputItem[]): string {
  let text = '';
  for (const item of output)
    if (item.type === 'message')
      for (const p of item.content as { type: string; text?: string }[]) if (p.type === 'output_text') text += p.text;
  return text;
}

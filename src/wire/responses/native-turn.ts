// One round of a Responses upstream, read as the tool loop needs it (pure): the round's output
// items as they came (reasoning, messages, calls of every kind, unknown items), its usage, and its
// calls in chat shape for the loop to split into the gateway's and the client's. A function_call
// (outside a namespace) keeps its name, so the loop can tell the gateway's from the client's; every
// other call item — custom, local_shell, computer, anything unknown — is the client's and ends the
// round (CLIENT_CALL). Items the upstream ran itself (web_search_call…) are not calls.
import type { FinishReason, ToolCall, Usage } from '../../openai/types.js';
import { toChatUsage } from './from-chat.js';
import type { OtherItem, ResponseUsage } from './types.js';

/** The name the loop sees for a call item that is not a plain function_call: always the client's. */
export const CLIENT_CALL = '\u0000client';

/** Output items that are not calls for anyone to answer: content, or what the upstream ran itself. */
const NOT_CALLS = new Set([
  'message',
  'reasoning',
  'web_search_call',
  'file_search_call',
  'image_generation_call',
  'code_interpreter_call',
  'mcp_call',
  'mcp_list_tools',
  'tool_search_call',
  'tool_search_output',
  'compaction',
]);

export interface ResponsesTurn {
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  /** The upstream's response object (its id, model, status…), output as it came. */
  response: Record<string, unknown> & { id?: string; output?: OtherItem[] };
  output: OtherItem[];
  usage: Usage | undefined;
  rawUsage: Partial<ResponseUsage> | undefined;
}

export function turnFromResponse(response: ResponsesTurn['response']): ResponsesTurn {
  const output = Array.isArray(response.output) ? response.output : [];
  const toolCalls: ToolCall[] = [];
  for (const item of output) {
    const call = callOf(item);
    if (call) toolCalls.push(call);
  }
  const rawUsage = (response.usage ?? undefined) as Partial<ResponseUsage> | undefined;
  const incomplete = (response.incomplete_details as { reason?: string } | null | undefined)?.reason;
  return {
    toolCalls,
    finishReason: response.status === 'incomplete' ? (incomplete === 'content_filter' ? 'content_filter' : 'length') : 'stop',
    response,
    output,
    usage: toChatUsage(rawUsage),
    rawUsage,
  };
}

/** The call an output item stands for, in chat shape; undefined for items that are not calls. */
export function callOf(item: OtherItem): ToolCall | undefined {
  if (NOT_CALLS.has(item.type)) return undefined;
  const id = String(item.call_id ?? item.id ?? '');
  if (item.type === 'function_call' && item.namespace === undefined)
    return { id, type: 'function', function: { name: String(item.name), arguments: String(item.arguments ?? '') } };
  return { id, type: 'function', function: { name: CLIENT_CALL, arguments: '' } };
}

/** Sums Responses usage over rounds (what the client's response.completed reports). */
export function addResponsesUsage(total: ResponseUsage | undefined, u: Partial<ResponseUsage> | undefined): ResponseUsage | undefined {
  if (!u || typeof u.input_tokens !== 'number') return total;
  const input = (total?.input_tokens ?? 0) + u.input_tokens;
  const output = (total?.output_tokens ?? 0) + (u.output_tokens ?? 0);
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: (total?.input_tokens_details.cached_tokens ?? 0) + (u.input_tokens_details?.cached_tokens ?? 0),
    },
    output_tokens: output,
    output_tokens_details: {
      reasoning_tokens: (total?.output_tokens_details.reasoning_tokens ?? 0) + (u.output_tokens_details?.reasoning_tokens ?? 0),
    },
    total_tokens: input + output,
  };
}

/**
 * A streamed round, event by event: the terminal event (response.completed, .incomplete, .failed)
 * carries the whole response; output_item.done events are kept so a cut-short round still knows
 * what it produced, and the last usage seen bounds the charge.
 */
export class ResponsesTurnBuilder {
  private final: ResponsesTurn['response'] | undefined;
  private started: ResponsesTurn['response'] | undefined;
  private readonly done: OtherItem[] = [];

  add(event: Record<string, unknown>): void {
    switch (event.type) {
      case 'response.created':
        this.started = event.response as ResponsesTurn['response'];
        return;
      case 'response.output_item.done':
        this.done[event.output_index as number] = event.item as OtherItem;
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.final = event.response as ResponsesTurn['response'];
        return;
    }
  }

  get ended(): boolean {
    return this.final !== undefined;
  }

  partialUsage(): Usage | undefined {
    return toChatUsage((this.final?.usage ?? undefined) as Partial<ResponseUsage> | undefined);
  }

  turn(): ResponsesTurn {
    const response = this.final ?? this.started ?? {};
    // The terminal event's response as it came when it lists its output (as a JSON answer's is
    // used); copied only to put the items seen in their place. The copy of a ~20-field response
    // per streamed round was 2.9 KB of a Responses stream's ~70 KB (issue 20, heap profile).
    if (Array.isArray(response.output) && response.output.length) return turnFromResponse(response);
    return turnFromResponse(Object.assign({}, response, { output: this.done.filter(Boolean) }));
  }
}

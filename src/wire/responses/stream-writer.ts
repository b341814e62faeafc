// The Responses stream as the client sees it (pure: it hands event objects to `emit`). Event names,
// fields and order follow OpenAI's (openai-node ResponseStreamEvent): response.created and
// response.in_progress; per item output_item.added … output_item.done with the item's own events
// in between (content_part / output_text, function_call_arguments, mcp_list_tools, mcp_call);
// then response.completed (or incomplete / failed). Every event carries a sequence_number from 0.
// The writer also keeps the output list, so the final response object matches what was streamed.
import type { McpCallItem, McpListToolsItem, OutputItem, ResponseObject, StreamEvent } from './types.js';
import { functionCallItem, newId } from './from-chat.js';
import type { ToolCall } from '../../openai/types.js';

interface OpenMessage {
  index: number;
  id: string;
  text: string;
}

export class ResponsesEventWriter {
  private seq = 0;
  readonly output: OutputItem[] = [];
  private message: OpenMessage | undefined;

  constructor(
    private readonly emit: (event: StreamEvent) => void,
    private readonly id: (prefix: string) => string = newId,
  ) {}

  private event(type: string, fields: Record<string, unknown>): void {
    this.emit({ type, sequence_number: this.seq++, ...fields });
  }

  /** `response` is the in-progress response object (empty output). */
  created(response: ResponseObject): void {
    this.event('response.created', { response });
    this.event('response.in_progress', { response });
  }

  textDelta(delta: string): void {
    if (!delta) return;
    let m = this.message;
    if (!m) {
      m = this.message = { index: this.output.length, id: this.id('msg'), text: '' };
      const item = { type: 'message', id: m.id, status: 'in_progress', role: 'assistant', content: [] };
      this.output.push(item as unknown as OutputItem);
      this.event('response.output_item.added', { output_index: m.index, item });
      this.event('response.content_part.added', {
        item_id: m.id,
        output_index: m.index,
        content_index: 0,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      });
    }
    m.text += delta;
    this.event('response.output_text.delta', { item_id: m.id, output_index: m.index, content_index: 0, delta, logprobs: [] });
  }

  /** Closes the message being written, if any (before another item, or at the end). */
  endMessage(): void {
    const m = this.message;
    if (!m) return;
    this.message = undefined;
    const part = { type: 'output_text' as const, annotations: [], logprobs: [], text: m.text };
    const item: OutputItem = { type: 'message', id: m.id, status: 'completed', role: 'assistant', content: [part] };
    this.output[m.index] = item;
    this.event('response.output_text.done', { item_id: m.id, output_index: m.index, content_index: 0, text: m.text, logprobs: [] });
    this.event('response.content_part.done', { item_id: m.id, output_index: m.index, content_index: 0, part });
    this.event('response.output_item.done', { output_index: m.index, item });
  }

  /** `namespace`: the call is to a function inside a namespace tool (`name` is then its own name). */
  functionCall(call: ToolCall, namespace?: { namespace: string; name: string }): void {
    this.endMessage();
    const item = functionCallItem(this.id('fc'), call) as OutputItem & { id: string; arguments: string; name: string };
    const done = namespace ? { ...item, name: namespace.name, namespace: namespace.namespace } : item;
    const index = this.output.push(done) - 1;
    this.event('response.output_item.added', { output_index: index, item: { ...done, arguments: '', status: 'in_progress' } });
    if (done.arguments)
      this.event('response.function_call_arguments.delta', { item_id: done.id, output_index: index, delta: done.arguments });
    this.event('response.function_call_arguments.done', {
      item_id: done.id,
      output_index: index,
      name: done.name,
      arguments: done.arguments,
    });
    this.event('response.output_item.done', { output_index: index, item: done });
  }

  mcpListTools(item: McpListToolsItem): void {
    this.endMessage();
    const index = this.output.push(item) - 1;
    this.event('response.output_item.added', { output_index: index, item: { ...item, tools: [] } });
    this.event('response.mcp_list_tools.in_progress', { item_id: item.id, output_index: index });
    this.event(item.error ? 'response.mcp_list_tools.failed' : 'response.mcp_list_tools.completed', {
      item_id: item.id,
      output_index: index,
    });
    this.event('response.output_item.done', { output_index: index, item });
  }

  /** A finished gateway MCP call: the in-progress item, its arguments, then completed or failed. */
  mcpCall(item: McpCallItem): void {
    this.endMessage();
    const index = this.output.push(item) - 1;
    const started = { ...item, arguments: '', output: null, error: null, status: 'in_progress' };
    this.event('response.output_item.added', { output_index: index, item: started });
    this.event('response.mcp_call.in_progress', { item_id: item.id, output_index: index });
    if (item.arguments) this.event('response.mcp_call_arguments.delta', { item_id: item.id, output_index: index, delta: item.arguments });
    this.event('response.mcp_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
    this.event(item.error ? 'response.mcp_call.failed' : 'response.mcp_call.completed', { item_id: item.id, output_index: index });
    this.event('response.output_item.done', { output_index: index, item });
  }

  /** An item with no events of its own (mcp_approval_request, reasoning): added, then done. */
  item(item: OutputItem): void {
    this.endMessage();
    const index = this.output.push(item) - 1;
    this.event('response.output_item.added', { output_index: index, item });
    this.event('response.output_item.done', { output_index: index, item });
  }

  /** `response` carries the same output as this writer's list. */
  finished(response: ResponseObject): void {
    this.endMessage();
    const type =
      response.status === 'incomplete' ? 'response.incomplete' : response.status === 'failed' ? 'response.failed' : 'response.completed';
    this.event(type, { response });
  }

  /** A failure after the stream started: OpenAI's `error` event. */
  error(err: { message: string; code: string | null; param: string | null }): void {
    this.event('error', { code: err.code, message: err.message, param: err.param });
  }
}

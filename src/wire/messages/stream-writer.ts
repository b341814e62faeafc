// The Messages stream as the client sees it, written from chat-shaped pieces (pure: frames go to
// `emit`). Event order follows https://docs.anthropic.com/en/api/messages-streaming: message_start,
// then per block content_block_start, content_block_delta…, content_block_stop, then message_delta
// (stop reason, final usage) and message_stop. Block indexes count from 0 across the whole message.
import type { ToolCall, ToolCallDelta } from '../../openai/types.js';
import { eventFrame, PING_FRAME } from './sse.js';
import type { StopReason, Usage } from './types.js';
import { toolInput } from './from-chat-response.js';

type Open = { kind: 'text' } | { kind: 'tool'; chatIndex: number } | undefined;

export class MessagesStreamWriter {
  private index = -1;
  private open: Open;
  started = false;
  finished = false;

  constructor(private readonly emit: (frame: string) => void) {}

  /** message_start; `usage` is what is known of the input at this point. */
  start(id: string, model: string, usage: Usage): void {
    if (this.started) return;
    this.started = true;
    this.emit(
      eventFrame({
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
      }),
    );
  }

  ping(): void {
    this.emit(PING_FRAME);
  }

  text(text: string): void {
    if (!text) return;
    if (this.open?.kind !== 'text') {
      this.closeBlock();
      this.index++;
      this.open = { kind: 'text' };
      this.emit(eventFrame({ type: 'content_block_start', index: this.index, content_block: { type: 'text', text: '' } }));
    }
    this.emit(eventFrame({ type: 'content_block_delta', index: this.index, delta: { type: 'text_delta', text } }));
  }

  /** A streamed chat tool-call delta: a new id (or chat index) opens a tool_use block, arguments stream as input_json_delta. */
  toolCallDelta(d: ToolCallDelta): void {
    const current = this.open?.kind === 'tool' ? this.open.chatIndex : undefined;
    if (current !== d.index) {
      this.closeBlock();
      this.index++;
      this.open = { kind: 'tool', chatIndex: d.index };
      this.emit(
        eventFrame({
          type: 'content_block_start',
          index: this.index,
          content_block: { type: 'tool_use', id: d.id ?? '', name: d.function?.name ?? '', input: {} },
        }),
      );
    }
    const args = d.function?.arguments;
    if (args)
      this.emit(eventFrame({ type: 'content_block_delta', index: this.index, delta: { type: 'input_json_delta', partial_json: args } }));
  }

  /** A whole tool call at once (held back while the gateway decided whose it was). */
  toolUse(call: ToolCall): void {
    this.closeBlock();
    this.index++;
    this.emit(
      eventFrame({
        type: 'content_block_start',
        index: this.index,
        content_block: { type: 'tool_use', id: call.id, name: call.function.name, input: {} },
      }),
    );
    const json = JSON.stringify(toolInput(call.function.arguments));
    this.emit(eventFrame({ type: 'content_block_delta', index: this.index, delta: { type: 'input_json_delta', partial_json: json } }));
    this.emit(eventFrame({ type: 'content_block_stop', index: this.index }));
  }

  finish(stopReason: StopReason, usage: Usage): void {
    if (this.finished) return;
    this.closeBlock();
    this.finished = true;
    this.emit(eventFrame({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage }));
    this.emit(eventFrame({ type: 'message_stop' }));
  }

  /** Ends the open block, so what follows starts a new one. */
  endBlock(): void {
    this.closeBlock();
  }

  private closeBlock(): void {
    if (!this.open) return;
    this.emit(eventFrame({ type: 'content_block_stop', index: this.index }));
    this.open = undefined;
  }
}

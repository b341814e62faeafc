// What the client sees of a loop run, as Responses output items, for JSON and SSE alike: the text
// of every round (one message item per round), the calls the gateway ran on a hosted MCP server
// (mcp_call items with output or error), then the final turn's text and the calls the client must
// answer (function_call items, or mcp_approval_request items for hosted tools that need approval).
// The key's own MCP tools stay hidden, as on chat: the model used them, the client sees the answer.
import type { AssistantMessage, ChatMessage, ToolCall } from '../openai/types.js';
import type { RunState } from '../chat/run-state.js';
import type { LoopResult } from '../chat/loop.js';
import type { AssistantTurn } from '../chat/accumulate.js';
import type { ResponsesEventWriter } from '../wire/responses/stream-writer.js';
import type { McpApprovalRequestItem, McpCallItem } from '../wire/responses/types.js';
import type { HostedTool } from './hosted-mcp.js';

export class OutputAssembler {
  private consumed: number;

  constructor(
    private readonly writer: ResponsesEventWriter,
    private readonly state: RunState,
    private readonly hosted: ReadonlyMap<string, HostedTool>,
    private readonly newId: (prefix: string) => string,
    private readonly namespaced: ReadonlyMap<string, { namespace: string; name: string }> = new Map(),
  ) {
    this.consumed = state.messages.length;
  }

  /**
   * Emits the rounds the loop finished since the last call (their assistant turns and tool results
   * in state.messages). `withText`: false when the text was already streamed live.
   */
  flushRounds(withText: boolean): void {
    const messages = this.state.messages;
    const results = new Map<string, string>();
    for (let i = this.consumed; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.role === 'tool') results.set(m.tool_call_id, typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
    }
    for (let i = this.consumed; i < messages.length; i++) {
      const m = messages[i] as ChatMessage;
      if (m.role !== 'assistant') continue;
      const assistant = m as AssistantMessage;
      if (withText && typeof assistant.content === 'string' && assistant.content) {
        this.writer.textDelta(assistant.content);
        this.writer.endMessage();
      }
      for (const call of assistant.tool_calls ?? []) {
        const item = this.mcpCallItem(call, results.get(call.id));
        if (item) this.writer.mcpCall(item);
      }
    }
    this.consumed = messages.length;
    this.writer.endMessage();
  }

  /**
   * A mixed final turn (client calls beside gateway calls): the gateway ran its calls and the loop
   * hands them here instead of to the conversation; hosted ones still show as mcp_call items.
   */
  hiddenCalls(calls: readonly ToolCall[], results: readonly { tool_call_id: string; content: unknown }[]): void {
    const byId = new Map(results.map((r) => [r.tool_call_id, typeof r.content === 'string' ? r.content : JSON.stringify(r.content)]));
    this.flushRounds(false);
    for (const call of calls) {
      const item = this.mcpCallItem(call, byId.get(call.id));
      if (item) this.writer.mcpCall(item);
    }
  }

  /** The final turn: its text (unless streamed), then the client's calls and approval requests. */
  finish(
    result: LoopResult<AssistantTurn>,
    withText: boolean,
    approvalRequest: (call: ToolCall, tool: HostedTool) => McpApprovalRequestItem,
  ): void {
    this.flushRounds(withText);
    if (withText && result.turn.content) this.writer.textDelta(result.turn.content);
    this.writer.endMessage();
    for (const call of result.clientToolCalls) {
      const tool = this.hosted.get(call.function.name);
      if (tool) this.writer.item(approvalRequest(call, tool));
      else this.writer.functionCall(call, this.namespaced.get(call.function.name));
    }
  }

  private mcpCallItem(call: ToolCall, result: string | undefined): McpCallItem | undefined {
    const tool = this.hosted.get(call.function.name);
    if (!tool) return undefined;
    const summary = this.state.toolCalls.find((c) => c.id === call.id);
    const failed = summary !== undefined && summary.status !== 'ok';
    return {
      type: 'mcp_call',
      id: this.newId('mcp'),
      server_label: tool.serverLabel,
      name: tool.entry.tool,
      arguments: call.function.arguments,
      output: failed ? null : (result ?? ''),
      error: failed ? (result ?? summary.status) : null,
      approval_request_id: null,
      status: failed ? 'failed' : 'completed',
    };
  }
}

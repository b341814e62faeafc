// A Responses request translated through chat, once handler.ts has resolved its approvals, hosted
// MCP tools and state: the one tool loop runs, its output is assembled into Responses items (hosted
// calls as mcp_call, calls that need approval as mcp_approval_request), and the answer goes out as
// one JSON object or as a Responses event stream; then it is stored (store: true) and recorded.
import type { ChatInput, ChatOutput } from '../chat/handler.js';
import type { RunState } from '../chat/run-state.js';
import { runLoop, type LoopResult } from '../chat/loop.js';
import { chatCodec } from '../chat/chat-codec.js';
import type { AssistantTurn } from '../chat/accumulate.js';
import type { StreamSink } from '../chat/round.js';
import { recordRequest } from '../chat/record.js';
import { settleStream } from '../chat/settle-stream.js';
import { tollgateInfo } from '../chat/respond.js';
import { openSseChannel } from '../chat/sse-channel.js';
import type { ChatMessage, ToolCall, ToolMessage } from '../openai/types.js';
import { responseObject, statusOf, toResponsesUsage, type ResponseShell } from '../wire/responses/from-chat.js';
import { ResponsesEventWriter } from '../wire/responses/stream-writer.js';
import type { McpApprovalRequestItem, McpCallItem, ResponseObject, ResponsesRequest } from '../wire/responses/types.js';
import { proposeApprovals } from './approval-flow.js';
import type { HostedMcp, HostedTool } from './hosted-mcp.js';
import { OutputAssembler } from './output.js';
import { ResponsesSse } from './sse.js';
import { keepResponse } from './keep.js';
import { storedInput } from './input-items.js';
import type { ResponsesDeps } from './handler.js';

export interface Run {
  req: ResponsesRequest;
  state: RunState;
  hosted: HostedMcp;
  shell: ResponseShell;
  /** Conversation messages before this request's (the stored previous response's). */
  instructions: boolean;
  newId: (prefix: string) => string;
  ctx: Parameters<typeof proposeApprovals>[1];
  /** Calls needing approval that this response proposes. */
  proposals: { item: McpApprovalRequestItem; call: ToolCall }[];
  /** mcp_call items of approved calls run before the loop. */
  approved: McpCallItem[];
  namespaced: Map<string, { namespace: string; name: string }>;
}

/** The whole answer as one JSON response object, once the loop has finished. */
export async function answerJson(deps: ResponsesDeps, run: Run, listings: HostedMcp['listings']): Promise<ChatOutput> {
  const { state } = run;
  const writer = new ResponsesEventWriter(() => undefined, run.newId);
  for (const listing of listings) writer.mcpListTools(listing);
  for (const item of run.approved) writer.mcpCall(item);
  const assembler = new OutputAssembler(writer, state, run.hosted.hosted, run.newId, run.namespaced);
  const result = await runLoop(deps, state, responsesCodec(deps, state, null, assembler));
  assembler.finish(result, true, (call, tool) => approvalRequest(run, call, tool));
  await proposeApprovals(deps, run.ctx, run.proposals);
  const body = finalResponse(run, result, writer);
  await store(deps, run, result, body);
  recordRequest(deps, state, { status: 200, startedAt: state.startedAt, body });
  return { kind: 'json', body };
}

export async function streamResponses(
  deps: ResponsesDeps,
  run: Run,
  input: ChatInput,
  client: { abort(): void },
  listings: HostedMcp['listings'],
): Promise<ChatOutput> {
  const { state } = run;
  const { channel: sse, body } = openSseChannel(
    (sink) => new ResponsesSse(sink),
    input,
    () => client.abort(),
  );
  const out: ChatOutput = body ? { kind: 'stream', body } : { kind: 'sent' };
  const writer = new ResponsesEventWriter((e) => sse.event(e), run.newId);
  writer.created(responseObject(run.shell, { status: 'in_progress', output: [], usage: null }));
  for (const listing of listings) writer.mcpListTools(listing);
  for (const item of run.approved) writer.mcpCall(item);
  const assembler = new OutputAssembler(writer, state, run.hosted.hosted, run.newId, run.namespaced);
  let round = 0;
  const sink: StreamSink = {
    delta(delta) {
      if (state.rounds !== round) {
        round = state.rounds;
        assembler.flushRounds(false);
      }
      if (delta.content) writer.textDelta(delta.content);
    },
    comment: (text) => sse.comment(text),
    flow: sse.flow,
  };
  await settleStream(deps, state, sse, runLoop(deps, state, responsesCodec(deps, state, sink, assembler)), {
    async done(result) {
      assembler.finish(result, false, (call, tool) => approvalRequest(run, call, tool));
      await proposeApprovals(deps, run.ctx, run.proposals);
      const body = finalResponse(run, result, writer);
      await store(deps, run, result, body);
      writer.finished(body);
      sse.end();
    },
    failed(error) {
      writer.endMessage();
      writer.error({ message: error.message, code: error.code ?? error.type, param: error.param });
      writer.finished(
        Object.assign(responseObject(run.shell, { status: 'failed', output: writer.output, usage: toResponsesUsage(state.usage) }), {
          error: { code: error.code ?? error.type, message: error.message },
        }),
      );
      sse.end();
    },
  });
  return out;
}

/** The chat codec, with mixed turns' gateway calls also shown to the assembler (hosted ones are mcp_call items). */
function responsesCodec(deps: ResponsesDeps, state: RunState, sink: StreamSink | null, assembler: OutputAssembler) {
  const codec = chatCodec(deps, state, sink);
  return Object.assign({}, codec, {
    hide(clientCalls: readonly ToolCall[], gatewayCalls: ToolCall[], results: ToolMessage[]) {
      codec.hide(clientCalls, gatewayCalls, results);
      assembler.hiddenCalls(gatewayCalls, results);
    },
  });
}

function approvalRequest(run: Run, call: ToolCall, tool: HostedTool): McpApprovalRequestItem {
  const item: McpApprovalRequestItem = {
    type: 'mcp_approval_request',
    id: run.newId('mcpr'),
    server_label: tool.serverLabel,
    name: tool.entry.tool,
    arguments: call.function.arguments,
  };
  run.proposals.push({ item, call });
  return item;
}

function finalResponse(run: Run, result: LoopResult<AssistantTurn>, writer: ResponsesEventWriter): ResponseObject {
  const { status, incomplete } = statusOf(result.finishReason);
  const body = responseObject(Object.assign({}, run.shell, { model: result.turn.model || run.shell.model }), {
    status,
    incomplete,
    output: writer.output,
    usage: toResponsesUsage(run.state.usage),
  });
  // The same summary as chat's and the native run's (cost_usd included).
  const info = tollgateInfo(run.state);
  if (info) body.tollgate = info;
  return body;
}

/** store: true (the default) keeps the response and its conversation for previous_response_id. */
async function store(deps: ResponsesDeps, run: Run, result: LoopResult<AssistantTurn>, body: ResponseObject): Promise<void> {
  if (run.req.store === false) return;
  const messages: ChatMessage[] = run.state.messages.slice(run.instructions ? 1 : 0);
  messages.push({
    role: 'assistant',
    content: result.turn.content,
    ...(result.clientToolCalls.length ? { tool_calls: result.clientToolCalls } : {}),
  });
  const input = storedInput(run.req, run.newId);
  await keepResponse(deps, { kind: 'gateway', id: body.id, keyId: run.state.access.keyId, response: body, messages, input });
}

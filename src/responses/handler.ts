// POST /v1/responses: validate → admit (key, limits) → route → (native pass-through, or pivot
// through chat into the one tool loop) → Responses output → store → record.
// Translated upstreams (chat-completions and Anthropic providers) get the chat request the
// Responses request stands for; the loop runs the key's MCP tools as on chat, hosted MCP tools
// (`type: "mcp"` with a configured server_label) appear as mcp_call items, and calls that need
// approval end the response with mcp_approval_request items.
import { invalidRequest } from '../errors.js';
import type { ChatDeps, ChatInput, ChatOutput } from '../chat/handler.js';
import type { Access } from '../chat/ports.js';
import type { LoopState, RunState } from '../chat/run-state.js';
import { runLoop, type LoopResult } from '../chat/loop.js';
import { chatCodec } from '../chat/chat-codec.js';
import type { AssistantTurn } from '../chat/accumulate.js';
import type { StreamSink } from '../chat/round.js';
import { sessionIdFrom } from '../chat/session-id.js';
import { asClientError } from '../chat/client-error.js';
import { recordRequest } from '../chat/record.js';
import { linkSignal } from '../chat/deadline.js';
import { openSseChannel } from '../chat/sse-channel.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../openai/json-depth.js';
import type { ChatMessage, ToolCall, ToolMessage } from '../openai/types.js';
import { parseResponsesRequest } from '../wire/responses/request-schema.js';
import { responsesToChat } from '../wire/responses/to-chat.js';
import { newId as defaultNewId, responseObject, statusOf, toResponsesUsage, type ResponseShell } from '../wire/responses/from-chat.js';
import { ResponsesEventWriter } from '../wire/responses/stream-writer.js';
import type { McpApprovalRequestItem, McpCallItem, ResponseObject, ResponsesRequest } from '../wire/responses/types.js';
import { closeOpenCalls, proposeApprovals, resolveApprovals, type ApprovalDeps } from './approval-flow.js';
import { resolveHostedMcp, type HostedMcp, type HostedTool } from './hosted-mcp.js';
import { OutputAssembler } from './output.js';
import { createResponsesState } from './state.js';
import { resolveTargets } from '../chat/resolve-targets.js';
import type { ResponseStore } from '../stored-responses/response-store.js';
import { ResponsesSse } from './sse.js';
import type { Matcher } from '../governance/glob.js';
import { setUpNative } from './native-setup.js';
import { runNativeResponses } from './native-run.js';
import { keepResponse } from './keep.js';

export interface ResponsesDeps extends ChatDeps, ApprovalDeps {
  responses: ResponseStore;
  /** A response could not be stored (the answer still goes out). */
  onStoreError?(err: Error): void;
  /** Configured MCP server names (hosted MCP may name only these). */
  mcpServers: ReadonlySet<string>;
  /** Tools the key's operator config says need approval (`approval` globs). */
  operatorApproval(access: Access): Matcher;
  newId?: (prefix: string) => string;
}

interface Run {
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

export interface ResponsesInput extends ChatInput {
  /** Sets a response header (before the first byte: JSON answers and the SSE head alike). */
  setHeader?(name: string, value: string): void;
}

/**
 * `deps` with `newId` set, made once per deps object: `{ ...deps, newId }` per request gave the
 * deps of every request a map of its own (Node 20 shares no map between objects from a literal
 * that starts with a spread and goes on), so every `deps.x` in the loop was a megamorphic lookup.
 */
const withIds = new WeakMap<ResponsesDeps, ResponsesDeps & { newId: (prefix: string) => string }>();
function depsWithIds(deps: ResponsesDeps): ResponsesDeps & { newId: (prefix: string) => string } {
  if (deps.newId) return deps as ResponsesDeps & { newId: (prefix: string) => string };
  let d = withIds.get(deps);
  if (!d) withIds.set(deps, (d = Object.assign({}, deps, { newId: defaultNewId })));
  return d;
}

export async function handleResponses(deps: ResponsesDeps, input: ResponsesInput): Promise<ChatOutput> {
  const startedAt = deps.now();
  const newId = deps.newId ?? defaultNewId;
  let state: RunState | undefined;
  let native: LoopState | undefined;
  let access: Access | undefined;
  let model: string | undefined;
  try {
    access = await deps.gate.admit(input.headers);
    const req = parseResponsesRequest(parseJsonBody(input.bodyText));
    model = req.model;
    const targets = resolveTargets(deps, req, access);
    const stored = req.previous_response_id ? await deps.responses.get(req.previous_response_id, access.keyId) : undefined;
    const previous = stored?.kind === 'gateway' ? stored : undefined;
    const header = input.headers.get('x-tollgate-tools') ?? undefined;
    const keyTools = deps.toolsFor(access, header);

    // A provider that speaks Responses gets the request passed through, the gateway's part added.
    if (targets.every((t) => t.apis.has('responses') && t.adapter.nativeRequest)) {
      // Only this key's responses continue: an id the gateway never saw for it is "not found" (not sent upstream).
      if (req.previous_response_id && !stored)
        throw invalidRequest(`Previous response with id '${req.previous_response_id}' not found.`, 'previous_response_id');
      const nativeDeps = depsWithIds(deps);
      const setup = await setUpNative(nativeDeps, input, req, { access, targets, keyTools, previous, startedAt });
      native = setup.state;
      return await runNativeResponses(nativeDeps, input, setup);
    }
    if (req.previous_response_id && !previous)
      throw invalidRequest(`Previous response with id '${req.previous_response_id}' not found.`, 'previous_response_id');
    const ctx = { access, requestId: input.requestId, signal: input.signal, newId, now: deps.now };
    const inputItems = Array.isArray(req.input) ? req.input : [];
    const history = [...(previous?.messages ?? [])];
    const approvals = await resolveApprovals(deps, ctx, inputItems, history);
    history.push(...approvals.afterHistory);
    closeOpenCalls(history, inputItems);
    const { chat, mcpTools, namespaced, warnings } = responsesToChat(req, history, {
      gatewayToolName: (server, tool) => keyTools.find((t) => t.server === server && t.tool === tool)?.name,
      echoedApproval: (id) => approvals.echoed.get(id),
    });
    if (warnings.length) input.setHeader?.('x-tollgate-warnings', warnings.join('; '));
    const hosted = resolveHostedMcp(mcpTools, keyTools, {
      servers: deps.mcpServers,
      operatorApproval: deps.operatorApproval(access),
      newId,
    });
    // Hosted tools that need approval are offered as the client's: the loop hands their calls back.
    const needApproval = [...hosted.hosted.values()].filter((t) => t.needsApproval);
    if (needApproval.length && chat.tool_choice !== 'none')
      chat.tools = [...(chat.tools ?? []), ...needApproval.map((t) => t.entry.openai)];
    const injected = hosted.offered.filter((t) => !hosted.hosted.get(t.name)?.needsApproval);

    const client = req.stream === true ? linkSignal(input.signal) : undefined;
    state = createResponsesState(deps, input, chat, req, targets, access, startedAt, client, injected, warnings);
    state.costUsd += approvals.chargedUsd;
    for (const s of approvals.summaries) state.toolCalls.push({ round: 0, ...s });
    const shell: ResponseShell = { id: newId('resp'), createdAt: Math.floor(Date.now() / 1000), model: targets[0]!.model, request: req };
    const run: Run = {
      req,
      state,
      hosted,
      shell,
      instructions: Boolean(req.instructions),
      newId,
      ctx,
      proposals: [],
      approved: approvals.items,
      namespaced,
    };
    const listed = new Set(
      previous?.response.output.filter((i) => i.type === 'mcp_list_tools').map((i) => (i as { server_label: string }).server_label),
    );
    const listings = hosted.listings.filter((l) => !listed.has(l.server_label));

    if (client) return await streamResponses(deps, run, input, client, listings);

    const writer = new ResponsesEventWriter(() => undefined, newId);
    for (const listing of listings) writer.mcpListTools(listing);
    for (const item of run.approved) writer.mcpCall(item);
    const assembler = new OutputAssembler(writer, state, hosted.hosted, newId, namespaced);
    const result = await runLoop(deps, state, responsesCodec(deps, state, null, assembler));
    assembler.finish(result, true, (call, tool) => approvalRequest(run, call, tool));
    await proposeApprovals(deps, ctx, run.proposals);
    const body = finalResponse(run, result, writer);
    await store(deps, run, result, body);
    recordRequest(deps, state, { status: 200, startedAt, body });
    return { kind: 'json', body };
  } catch (err) {
    const error = asClientError(err, state ?? native);
    recordRequest(deps, state ?? native, {
      status: error.status,
      startedAt,
      error,
      access,
      model,
      bodyText: input.bodyText,
      requestId: input.requestId,
      surface: 'responses',
      sessionId: sessionIdFrom(input.headers, deps.sessionHeaders),
    });
    throw error;
  } finally {
    const run = state ?? native;
    if (!run?.stream) run?.release();
  }
}

async function streamResponses(
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
  };
  const finished = runLoop(deps, state, responsesCodec(deps, state, sink, assembler)).then(
    async (result) => {
      assembler.finish(result, false, (call, tool) => approvalRequest(run, call, tool));
      await proposeApprovals(deps, run.ctx, run.proposals);
      const body = finalResponse(run, result, writer);
      await store(deps, run, result, body);
      writer.finished(body);
      sse.end();
      recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
      state.release();
    },
    (err: unknown) => {
      state.release();
      if (!sse.isStarted) throw err;
      const error = asClientError(err, state);
      writer.endMessage();
      writer.error({ message: error.message, code: error.code ?? error.type, param: error.param });
      writer.finished(
        Object.assign(responseObject(run.shell, { status: 'failed', output: writer.output, usage: toResponsesUsage(state.usage) }), {
          error: { code: error.code ?? error.type, message: error.message },
        }),
      );
      sse.end();
      recordRequest(deps, state, { status: error.status, startedAt: state.startedAt, error });
    },
  );
  await Promise.race([sse.started, finished]);
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
  const info = run.state.rounds > 1 || run.state.toolCalls.length || run.state.stopNote;
  if (info)
    body.tollgate = {
      request_id: run.state.requestId,
      rounds: run.state.rounds,
      tool_calls: run.state.toolCalls,
      ...(run.state.stopNote ? { stopped: run.state.stopNote } : {}),
    };
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
  await keepResponse(deps, { kind: 'gateway', id: body.id, keyId: run.state.access.keyId, response: body, messages });
}

function parseJsonBody(text: string): unknown {
  if (!text) throw invalidRequest('request body is empty; expected a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
  if (exceedsDepth(body)) throw invalidRequest(`request body nests deeper than ${MAX_JSON_DEPTH} levels`, null, 'json_too_deep');
  return body;
}

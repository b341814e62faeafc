// The loop state of one Responses request on a translated upstream: the chat request it pivoted
// to, and the MCP tools the gateway runs for it. Mirrors the chat handler's (src/chat/handler.ts):
// models checked against the key and priced under a budget before anything is sent, one loop
// deadline when the gateway may loop.
import type { ChatDeps, ChatInput } from '../chat/handler.js';
import type { Access, ToolEntry } from '../chat/ports.js';
import type { RunState } from '../chat/run-state.js';
import { NO_NAMES, toolNameSet } from '../chat/tool-name-set.js';
import { linkSignal, type LinkedSignal } from '../chat/deadline.js';
import type { ChatRequest, FunctionTool } from '../openai/types.js';
import type { Target } from '../chat/targets.js';
import { clientOutputCap } from '../governance/output-cap.js';
import { sessionIdFrom } from '../chat/session-id.js';

/**
 * `injected`: the MCP tools the gateway runs in its loop. The request's own tools (chat.tools) are
 * the client's; hosted tools that need approval are among them, so the loop hands them back.
 */
export function createResponsesState(
  deps: ChatDeps,
  input: ChatInput,
  request: ChatRequest,
  clientRequest: { model: string },
  targets: readonly Target[],
  access: Access,
  startedAt: number,
  client: LinkedSignal | undefined,
  injectedTools: readonly ToolEntry[],
  /** What translation left out (the x-tollgate-warnings header), for the ledger too. */
  warnings: readonly string[] = [],
): RunState {
  clientOutputCap(request);
  const clientTools = request.tools ?? [];
  const clientToolNames: ReadonlySet<string> = clientTools.length ? new Set(clientTools.map((t) => t.function.name)) : NO_NAMES;
  const injected = request.tool_choice === 'none' ? [] : injectedTools.filter((t) => !clientToolNames.has(t.name));
  const offered: FunctionTool[] | undefined = injected.length ? [...clientTools, ...injected.map((t) => t.openai)] : request.tools;
  const loop = access.loop;
  const clientSignal = client?.signal ?? input.signal;
  const deadline = injected.length ? linkSignal(clientSignal, loop.timeoutMs) : undefined;
  return {
    requestId: input.requestId,
    startedAt,
    surface: 'responses',
    sessionId: sessionIdFrom(input.headers, deps.sessionHeaders),
    model: clientRequest.model,
    clientRequest,
    warnings,
    request,
    targets,
    access,
    stream: request.stream === true,
    includeUsage: false,
    injected,
    injectedNames: toolNameSet(injected),
    offeredTools: offered,
    clientToolNames,
    cancel: deadline?.signal ?? clientSignal,
    clientSignal,
    deadline: Date.now() + loop.timeoutMs,
    release() {
      deadline?.dispose();
      client?.dispose();
    },
    messages: deps.hidden.expand(request.messages, {
      keyId: access.keyId,
      allowsTool: (name) => access.decideTool(name).allowed,
    }),
    rounds: 0,
    toolCallCount: 0,
    usage: undefined,
    costUsd: 0,
    costUnknown: false,
    costEstimated: false,
    toolCalls: [],
    lastTarget: undefined,
    stopNote: undefined,
    audioTokens: 0,
    spokenCap: undefined,
  };
}

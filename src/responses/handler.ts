// POST /v1/responses: validate → admit (key, limits) → route → (native pass-through, or pivot
// through chat into the one tool loop) → Responses output → store → record.
// Translated upstreams (chat-completions and Anthropic providers) get the chat request the
// Responses request stands for; the loop runs the key's MCP tools as on chat, hosted MCP tools
// (`type: "mcp"` with a configured server_label) appear as mcp_call items, and calls that need
// approval end the response with mcp_approval_request items.
import { refuseCompactionUnderBudget } from './compaction.js';
import { invalidRequest } from '../errors.js';
import { parseJsonBody, type ChatDeps, type ChatInput, type ChatOutput } from '../chat/handler.js';
import type { Access } from '../chat/ports.js';
import type { LoopState, RunState } from '../chat/run-state.js';
import { sessionIdFrom } from '../chat/session-id.js';
import { asClientError } from '../chat/client-error.js';
import { recordRequest } from '../chat/record.js';
import { linkSignal } from '../chat/deadline.js';
import { abortSignalOf, type Cancel } from '../upstream/cancel.js';
import { parseResponsesRequest } from '../wire/responses/request-schema.js';
import { checkDuplicateKeys, RESPONSES_GOVERNED } from '../wire/duplicate-keys.js';
import { checkRequestSize } from '../wire/request-size.js';
import { responsesToChat } from '../wire/responses/to-chat.js';
import { newId as defaultNewId, type ResponseShell } from '../wire/responses/from-chat.js';
import { closeOpenCalls, offeredIn, resolveApprovals, type ApprovalDeps } from './approval-flow.js';
import { answerJson, streamResponses, type Run } from './translated-run.js';
import { resolveHostedMcp } from './hosted-mcp.js';
import { createResponsesState } from './state.js';
import { resolveTargets } from '../chat/resolve-targets.js';
import type { ResponseStore } from '../stored-responses/response-store.js';
import type { Matcher } from '../governance/glob.js';
import { setUpNative } from './native-setup.js';
import { runNativeResponses } from './native-run.js';
import { refuseOthersResponseId, refuseOthersStoredInput } from './owned-input.js';
import { refuseUnshownApprovals } from './upstream-approvals.js';
import { type ContainerDeps, containersOfResponsesRequest, refuseOthersContainers } from '../governance/owned-containers.js';
import {
  refuseFilesUnderBudget,
  refuseRemoteMcpUnderBudget,
  refuseStoredInputUnderBudget,
  refuseUnknownToolsUnderBudget,
} from './stored-input.js';

export interface ResponsesDeps extends ChatDeps, ApprovalDeps {
  responses: ResponseStore;
  /** Whose code-execution containers (governance/owned-containers.ts): the same database. */
  containers: ContainerDeps;
  /** A response could not be stored (the answer still goes out). */
  onStoreError?(err: Error): void;
  /** Configured MCP server names (hosted MCP may name only these). */
  mcpServers: ReadonlySet<string>;
  /** Tools the key's operator config says need approval (`approval` globs). */
  operatorApproval(access: Access): Matcher;
  newId?: (prefix: string) => string;
}

export interface ResponsesInput extends ChatInput {
  /** Sets a response header (before the first byte: JSON answers and the SSE head alike). */
  setHeader?(name: string, value: string): void;
}

/**
 * handleResponses' input: its disconnect may also be the Node route's Disconnect, which makes an
 * AbortSignal only when something needs one (the translated run, tool calls, a retry's wait).
 */
export type ResponsesCallInput = Omit<ResponsesInput, 'signal'> & { signal: Cancel };

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

/**
 * What handleResponses answers: chat's outputs, a JSON one with `after` when the route must run it
 * once it has written the answer (the last round's effects and the requests row: native-run.ts).
 */
export type ResponsesOutput =
  | Exclude<ChatOutput, { kind: 'json' }>
  | { kind: 'json'; body: unknown; text?: string | undefined; after?: (() => void) | undefined };

export async function handleResponses(deps: ResponsesDeps, call: ResponsesCallInput): Promise<ResponsesOutput> {
  let input = call as ResponsesInput;
  const startedAt = deps.now();
  const newId = deps.newId ?? defaultNewId;
  let state: RunState | undefined;
  let native: LoopState | undefined;
  let access: Access | undefined;
  let model: string | undefined;
  try {
    access = await deps.gate.admit(input.headers);
    const json = parseJsonBody(input.bodyText);
    // The body may go upstream as sent: a governed key twice would be read one way here, maybe another there.
    checkDuplicateKeys(input.bodyText, RESPONSES_GOVERNED);
    // requestLimits hold on every surface: a Responses body's messages are its input items (the
    // schema's own 10,000-item cap knows neither the configured limit nor content parts).
    checkRequestSize(json, deps.requestLimits, 'input');
    const req = parseResponsesRequest(json);
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
      refuseStoredInputUnderBudget(req, access.budgeted, input.bodyText);
      // Items sent back by id add what they held (reasoning-size.ts): bounded with the carried tokens.
      const owned = refuseOthersStoredInput(req, deps.responses, access.keyId, access.budgeted);
      const byIdTokens = owned ? await owned : 0;
      const chosenId = refuseOthersResponseId(req, deps.responses, access.keyId);
      if (chosenId) await chosenId;
      const containers = refuseOthersContainers(containersOfResponsesRequest(req), deps.containers.owners, access.keyId);
      if (containers) await containers;
      refuseRemoteMcpUnderBudget(req, access.budgeted);
      refuseUnknownToolsUnderBudget(req, access.budgeted);
      refuseCompactionUnderBudget(req, access.budgeted);
      // An upstream MCP server's approval: only one this key was shown (upstream-approvals.ts).
      const approvalsShown = refuseUnshownApprovals(req, deps.approvals, deps.containers.owners, access.keyId);
      if (approvalsShown) await approvalsShown;
      const nativeDeps = depsWithIds(deps);
      // Continued upstream, a stored response's conversation is billed as this request's input.
      const carriedTokens = (stored?.kind === 'upstream' ? (stored.carriedTokens ?? 0) : 0) + byIdTokens;
      const setup = await setUpNative(nativeDeps, call, req, { access, targets, keyTools, previous, carriedTokens, startedAt });
      native = setup.state;
      return await runNativeResponses(nativeDeps, call, setup);
    }
    if (req.previous_response_id && !previous)
      throw invalidRequest(`Previous response with id '${req.previous_response_id}' not found.`, 'previous_response_id');
    refuseFilesUnderBudget(req, access.budgeted, input.bodyText);
    // The translated run reads the client's disconnect as an AbortSignal throughout.
    if (!(call.signal instanceof AbortSignal)) input = Object.assign({}, call, { signal: abortSignalOf(call.signal) });
    const ctx = { access, requestId: input.requestId, signal: input.signal, newId, now: deps.now };
    const inputItems = Array.isArray(req.input) ? req.input : [];
    const history = [...(previous?.messages ?? [])];
    const approvals = await resolveApprovals(deps, Object.assign({ offered: offeredIn(keyTools) }, ctx), inputItems, history);
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

    return await answerJson(deps, run, listings);
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

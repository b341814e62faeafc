// Everything a native Responses request needs before its first round: the gateway's tools as
// function tools beside the client's (hosted gateway MCP entries resolved and taken out, the rest
// — namespace, custom, web_search, tool_search, MCP with a server_url — left as sent), approvals
// acted on, and the conversation the gateway holds (a stored translated response, approved calls,
// hidden calls, echoed hosted-MCP items) turned into input items. When there is nothing to add the
// body goes out as the client's bytes with only `model` rewritten.
import type { ResponsesCallInput } from './handler.js';
import { abortSignalOf, type Cancel } from '../upstream/cancel.js';
import type { Access, ToolEntry } from '../chat/ports.js';
import type { Target } from '../chat/targets.js';
import { NO_NAMES, toolNameSet } from '../chat/tool-name-set.js';
import { linkSignal, type LinkedSignal } from '../chat/deadline.js';
import { sessionIdFrom } from '../chat/session-id.js';
import { chatToItems, functionToolDef, inputItems } from '../wire/responses/native-items.js';
import { CLIENT_CALL } from '../wire/responses/native-turn.js';
import { builtInToolsOf, isUpstreamMcp } from '../wire/responses/hosted-tools.js';
import { hostedSettings } from '../governance/hosted-tools.js';
import type { McpCallItem, McpToolDef, OutputItem, ResponsesRequest, ResponsesToolChoice, ToolDef } from '../wire/responses/types.js';
import type { StoredResponse } from '../stored-responses/response-store.js';
import { closeOpenCalls, offeredIn, resolveApprovals, type ResolvedApprovals } from './approval-flow.js';
import type { ChatMessage } from '../openai/types.js';
import type { ResponsesDeps } from './handler.js';
import { type HostedTool, resolveHostedMcp } from './hosted-mcp.js';
import type { NativeRunState } from './native-codec.js';
import { nativeInput, nativeInputMayChange } from './native-input.js';
import { containersOfResponsesRequest } from '../governance/owned-containers.js';

export interface NativeSetup {
  state: NativeRunState;
  /** Items the client sees first: hosted listings, approved calls that ran. */
  preamble: OutputItem[];
  client: LinkedSignal | undefined;
}

const NONE: never[] = Object.freeze([]) as unknown as never[];
const NO_HOSTED: ReadonlyMap<string, HostedTool> = new Map();

/** What resolveApprovals returns for a request with no approval responses (read only). */
const NO_APPROVALS: ResolvedApprovals = Object.freeze({
  afterHistory: Object.freeze([]) as unknown as ChatMessage[],
  echoed: new Map<string, ChatMessage[]>(),
  items: Object.freeze([]) as unknown as McpCallItem[],
  chargedUsd: 0,
  summaries: Object.freeze([]) as unknown as ResolvedApprovals['summaries'],
});

/** The client-call marker alone: the client sent no function tools and no tool needs approval (read only). */
const ONLY_CLIENT_CALL: ReadonlySet<string> = new Set([CLIENT_CALL]);

const isGatewayHosted = (t: ToolDef) => t.type === 'mcp' && !isUpstreamMcp(t);

export async function setUpNative(
  deps: ResponsesDeps,
  input: ResponsesCallInput,
  req: ResponsesRequest,
  run: {
    access: Access;
    targets: readonly Target[];
    keyTools: readonly ToolEntry[];
    previous: StoredResponse | undefined;
    /** Tokens a response the upstream stored adds as input when previous_response_id continues it. */
    carriedTokens: number;
    startedAt: number;
  },
): Promise<NativeSetup> {
  const { access, previous } = run;
  const newId = deps.newId!;
  // The usual pass-through (no tools, no approvals, no stored conversation) allocates none of the
  // intermediate lists and sets below: shared empty ones stand in (all only read). Allocation per
  // request sets how often the young generation is collected, and a request that meets a collection waits.
  const tools = req.tools ?? NONE;
  const gatewayDefs = tools.length ? (tools.filter(isGatewayHosted) as McpToolDef[]) : NONE;
  const clientDefs = gatewayDefs.length ? tools.filter((t) => !isGatewayHosted(t)) : tools;
  const hosted = gatewayDefs.length
    ? resolveHostedMcp(gatewayDefs, run.keyTools, { servers: deps.mcpServers, operatorApproval: deps.operatorApproval(access), newId })
    : { offered: run.keyTools, hosted: NO_HOSTED, listings: NONE };
  const approvalTools = hosted.hosted.size ? [...hosted.hosted.values()].filter((t) => t.needsApproval).map((t) => t.entry) : NONE;
  let clientNames = ONLY_CLIENT_CALL;
  if (approvalTools.length || clientDefs.some((t) => t.type === 'function')) {
    const names = new Set<string>([CLIENT_CALL]);
    for (const t of clientDefs) if (t.type === 'function') names.add(String(t.name));
    for (const t of approvalTools) names.add(t.name);
    clientNames = names;
  }
  const toolChoice = gatewayChoice(req.tool_choice, run.keyTools, gatewayDefs);
  const injected =
    req.tool_choice === 'none' || !hosted.offered.length
      ? NONE
      : hosted.offered.filter((t) => !clientNames.has(t.name) && !hosted.hosted.get(t.name)?.needsApproval);

  // Approvals: the gateway's own (it has a record, or no upstream MCP server could have made them).
  const upstreamLabels: ReadonlySet<string> = tools.length
    ? new Set(tools.filter(isUpstreamMcp).map((t) => (t as McpToolDef).server_label))
    : NO_NAMES;
  const items = inputItems(req);
  const responses: typeof items = [];
  for (const item of items)
    if (item.type === 'mcp_approval_response') {
      const id = (item as { approval_request_id: string }).approval_request_id;
      if (!upstreamLabels.size || (await deps.approvals.get(id, access.keyId))) responses.push(item);
    }
  const history = previous ? [...(previous.messages ?? [])] : NONE;
  // Without an approval response of the gateway's there is nothing to resolve (resolveApprovals acts only on those).
  const approvals = responses.length
    ? await resolveApprovals(
        deps,
        { access, requestId: input.requestId, signal: abortSignalOf(input.signal), newId, now: deps.now, offered: offeredIn(run.keyTools) },
        [...items.filter((i) => i.type === 'mcp_approval_request'), ...responses],
        history,
      )
    : NO_APPROVALS;
  const gatewayLabels = upstreamLabels.size ? new Set([...deps.mcpServers].filter((l) => !upstreamLabels.has(l))) : deps.mcpServers;
  // nativeInput changes nothing unless an item names an MCP server, answers an approval, or has a
  // call id the gateway holds a hidden turn for: without one, neither its options nor its copies are made.
  const stitched = nativeInputMayChange(items, deps.hidden.size > 0)
    ? nativeInput(items, {
        gatewayLabels,
        gatewayToolName: (server, tool) => run.keyTools.find((t) => t.server === server && t.tool === tool)?.name,
        echoed: (id) => approvals.echoed.get(id),
        decided: responses.length ? new Set(responses.map((r) => (r as { approval_request_id: string }).approval_request_id)) : NO_NAMES,
        hidden: deps.hidden,
        who: { keyId: access.keyId, allowsTool: (name) => access.decideTool(name).allowed },
      })
    : { items, changed: false };
  let held: ReturnType<typeof chatToItems> = [];
  if (previous) {
    // A response the gateway stored (translated earlier): its conversation goes as items.
    history.push(...approvals.afterHistory);
    closeOpenCalls(history, items);
    held = chatToItems(history);
  } else if (approvals.afterHistory.length) held = chatToItems(approvals.afterHistory, !req.previous_response_id);

  const offered = injected.length || approvalTools.length || gatewayDefs.length;
  // A copy only when something in it changes (nothing writes to the request).
  let body: ResponsesRequest =
    toolChoice !== undefined || previous ? Object.assign({}, req, toolChoice !== undefined ? { tool_choice: toolChoice } : undefined) : req;
  if (previous) delete body.previous_response_id;
  // Built-in tools under a budget go with a bound on their calls (the client's max_tool_calls,
  // else the config's): the bound reserved is the bound sent (README, "Budgets").
  const builtInTools = builtInToolsOf(req.tools);
  // Re-serialized (rebuilt) under a budget, so a max_tool_calls named twice in the client's bytes is sent as reserved.
  const budgetedTools = builtInTools !== undefined && access.budgeted;
  // So is one naming a container: the container sent is the one whose owner was checked (handler.ts).
  const namesContainer = containersOfResponsesRequest(req) !== undefined;
  if (budgetedTools && typeof req.max_tool_calls !== 'number')
    body = Object.assign({}, body, { max_tool_calls: hostedSettings(deps.pricing).defaultMaxUses });
  // Its own controller only for a stream returned as a web stream (its reader may cancel); written to
  // Node's response, the disconnect signal already covers a client gone.
  const client = req.stream === true && !input.sseSink ? linkSignal(input.signal) : undefined;
  const clientSignal: Cancel = client?.signal ?? input.signal;
  const deadline = injected.length ? linkSignal(clientSignal, access.loop.timeoutMs) : undefined;
  const cancel: Cancel = deadline?.signal ?? clientSignal;
  const state: NativeRunState = {
    requestId: input.requestId,
    startedAt: run.startedAt,
    surface: 'responses',
    sessionId: sessionIdFrom(input.headers, deps.sessionHeaders),
    model: req.model,
    clientRequest: req,
    targets: run.targets,
    access,
    stream: req.stream === true,
    injected,
    injectedNames: toolNameSet(injected),
    clientToolNames: clientNames.size ? clientNames : NO_NAMES,
    cancel,
    clientSignal,
    deadline: Date.now() + access.loop.timeoutMs,
    release() {
      deadline?.dispose();
      client?.dispose();
    },
    rounds: 0,
    toolCallCount: 0,
    usage: undefined,
    costUsd: approvals.chargedUsd,
    costUnknown: false,
    costEstimated: false,
    toolCalls: approvals.summaries.length ? approvals.summaries.map((s) => ({ round: 0, ...s })) : [],
    lastTarget: undefined,
    stopNote: undefined,
    body,
    bodyText: input.bodyText,
    offeredTools: offered ? [...clientDefs, ...[...injected, ...approvalTools].map((t) => functionToolDef(t.openai))] : undefined,
    hosted: hosted.hosted,
    // Written to by later rounds: stitched.items is this request's own array (inputItems copies).
    conv: held.length ? [...held, ...stitched.items] : stitched.items,
    rebuilt: Boolean(offered || previous || held.length || stitched.changed || toolChoice !== undefined || budgetedTools || namesContainer),
    builtInTools,
    totals: undefined,
    last: undefined,
    carriedTokens: run.carriedTokens,
    continuation: undefined,
  };
  const listed = previous
    ? new Set(previous.response.output.filter((i) => i.type === 'mcp_list_tools').map((i) => i.server_label))
    : NO_NAMES;
  const preamble: OutputItem[] =
    hosted.listings.length || approvals.items.length
      ? [...hosted.listings.filter((l) => !listed.has(l.server_label)), ...approvals.items]
      : (NONE as OutputItem[]);
  return { state, preamble, client };
}

/** tool_choice naming a gateway MCP server becomes the function it stands for; undefined when unchanged. */
function gatewayChoice(
  choice: ResponsesToolChoice | undefined,
  keyTools: readonly ToolEntry[],
  gatewayDefs: readonly McpToolDef[],
): ResponsesToolChoice | undefined {
  if (!choice || typeof choice === 'string' || choice.type !== 'mcp') return undefined;
  const c = choice as { server_label: string; name?: string | null };
  if (!gatewayDefs.some((d) => d.server_label === c.server_label)) return undefined;
  if (!c.name) return 'required';
  const name = keyTools.find((t) => t.server === c.server_label && t.tool === c.name)?.name;
  return name ? { type: 'function', name } : 'required';
}

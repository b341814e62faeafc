// Everything a native Responses request needs before its first round: the gateway's tools as
// function tools beside the client's (hosted gateway MCP entries resolved and taken out, the rest
// — namespace, custom, web_search, tool_search, MCP with a server_url — left as sent), approvals
// acted on, and the conversation the gateway holds (a stored translated response, approved calls,
// hidden calls, echoed hosted-MCP items) turned into input items. When there is nothing to add the
// body goes out as the client's bytes with only `model` rewritten.
import type { ChatInput } from '../chat/handler.js';
import type { Access, ToolEntry } from '../chat/ports.js';
import type { Target } from '../chat/targets.js';
import { NO_NAMES, toolNameSet } from '../chat/tool-name-set.js';
import { linkSignal, type LinkedSignal } from '../chat/deadline.js';
import { sessionIdFrom } from '../chat/session-id.js';
import { chatToItems, functionToolDef, inputItems } from '../wire/responses/native-items.js';
import { CLIENT_CALL } from '../wire/responses/native-turn.js';
import type { McpToolDef, OutputItem, ResponsesRequest, ResponsesToolChoice, ToolDef } from '../wire/responses/types.js';
import type { StoredResponse } from '../stored-responses/response-store.js';
import { closeOpenCalls, resolveApprovals } from './approval-flow.js';
import type { ResponsesDeps } from './handler.js';
import { resolveHostedMcp } from './hosted-mcp.js';
import type { NativeRunState } from './native-codec.js';
import { nativeInput } from './native-input.js';

export interface NativeSetup {
  state: NativeRunState;
  /** Items the client sees first: hosted listings, approved calls that ran. */
  preamble: OutputItem[];
  client: LinkedSignal | undefined;
}

const isGatewayHosted = (t: ToolDef) => t.type === 'mcp' && t.server_url === undefined && t.connector_id === undefined;

export async function setUpNative(
  deps: ResponsesDeps,
  input: ChatInput,
  req: ResponsesRequest,
  run: {
    access: Access;
    targets: readonly Target[];
    keyTools: readonly ToolEntry[];
    previous: StoredResponse | undefined;
    startedAt: number;
  },
): Promise<NativeSetup> {
  const { access, previous } = run;
  const newId = deps.newId!;
  const tools = req.tools ?? [];
  const gatewayDefs = tools.filter(isGatewayHosted) as McpToolDef[];
  const clientDefs = gatewayDefs.length ? tools.filter((t) => !isGatewayHosted(t)) : tools;
  const hosted = resolveHostedMcp(gatewayDefs, run.keyTools, {
    servers: deps.mcpServers,
    operatorApproval: deps.operatorApproval(access),
    newId,
  });
  const approvalTools = [...hosted.hosted.values()].filter((t) => t.needsApproval).map((t) => t.entry);
  const clientNames = new Set<string>([CLIENT_CALL]);
  for (const t of clientDefs) if (t.type === 'function') clientNames.add(String(t.name));
  for (const t of approvalTools) clientNames.add(t.name);
  const toolChoice = gatewayChoice(req.tool_choice, run.keyTools, gatewayDefs);
  const injected =
    req.tool_choice === 'none' ? [] : hosted.offered.filter((t) => !clientNames.has(t.name) && !hosted.hosted.get(t.name)?.needsApproval);

  // Approvals: the gateway's own (it has a record, or no upstream MCP server could have made them).
  const upstreamLabels = new Set(tools.filter((t) => t.type === 'mcp' && !isGatewayHosted(t)).map((t) => (t as McpToolDef).server_label));
  const items = inputItems(req);
  const responses: typeof items = [];
  for (const item of items)
    if (item.type === 'mcp_approval_response') {
      const id = (item as { approval_request_id: string }).approval_request_id;
      if (!upstreamLabels.size || (await deps.approvals.get(id, access.keyId))) responses.push(item);
    }
  const ctx = { access, requestId: input.requestId, signal: input.signal, newId, now: deps.now };
  const history = [...(previous?.messages ?? [])];
  const approvals = await resolveApprovals(deps, ctx, [...items.filter((i) => i.type === 'mcp_approval_request'), ...responses], history);
  const gatewayLabels = new Set([...deps.mcpServers].filter((l) => !upstreamLabels.has(l)));
  const stitched = nativeInput(items, {
    gatewayLabels,
    gatewayToolName: (server, tool) => run.keyTools.find((t) => t.server === server && t.tool === tool)?.name,
    echoed: (id) => approvals.echoed.get(id),
    decided: new Set(responses.map((r) => (r as { approval_request_id: string }).approval_request_id)),
    hidden: deps.hidden,
    who: { keyId: access.keyId, allowsTool: (name) => access.decideTool(name).allowed },
  });
  let held: ReturnType<typeof chatToItems> = [];
  if (previous) {
    // A response the gateway stored (translated earlier): its conversation goes as items.
    history.push(...approvals.afterHistory);
    closeOpenCalls(history, items);
    held = chatToItems(history);
  } else if (approvals.afterHistory.length) held = chatToItems(approvals.afterHistory, !req.previous_response_id);

  const offered = injected.length || approvalTools.length || gatewayDefs.length;
  const body: ResponsesRequest = Object.assign({}, req, toolChoice !== undefined ? { tool_choice: toolChoice } : undefined);
  if (previous) delete body.previous_response_id;
  // Its own controller only for a stream returned as a web stream (its reader may cancel); written to
  // Node's response, the disconnect signal already covers a client gone.
  const client = req.stream === true && !input.sseSink ? linkSignal(input.signal) : undefined;
  const clientSignal = client?.signal ?? input.signal;
  const deadline = injected.length ? linkSignal(clientSignal, access.loop.timeoutMs) : undefined;
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
    signal: deadline?.signal ?? clientSignal,
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
    toolCalls: approvals.summaries.map((s) => ({ round: 0, ...s })),
    lastTarget: undefined,
    stopNote: undefined,
    body,
    bodyText: input.bodyText,
    offeredTools: offered ? [...clientDefs, ...[...injected, ...approvalTools].map((t) => functionToolDef(t.openai))] : undefined,
    hosted: hosted.hosted,
    conv: [...held, ...stitched.items],
    rebuilt: Boolean(offered || previous || held.length || stitched.changed || toolChoice !== undefined),
    totals: undefined,
    last: undefined,
  };
  const listed = new Set(previous?.response.output.filter((i) => i.type === 'mcp_list_tools').map((i) => i.server_label));
  const preamble: OutputItem[] = [...hosted.listings.filter((l) => !listed.has(l.server_label)), ...approvals.items];
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

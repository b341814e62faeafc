// Approvals in a request's life: proposing the calls that need one (stored, shown as
// mcp_approval_request items, recorded as requested), and acting on mcp_approval_response items
// that come back — in a follow-up with previous_response_id, or with the request item echoed in
// `input` (the Agents SDK's way). An approval runs exactly the stored call (its arguments, not any
// the client sends), once; a denial, and every approval that fails the check (unknown, another
// key's, expired, already used, or echoed with other arguments), runs nothing and is recorded as a
// denial with its reason. Each decision is a tool_calls row of this request (the /logs trace).
import { executeToolCall, type ToolCallDeps } from '../chat/tool-call.js';
import type { Access } from '../chat/ports.js';
import type { ChatMessage, ToolCall } from '../openai/types.js';
import type { InputItem, McpApprovalRequestItem, McpCallItem } from '../wire/responses/types.js';
import type { ApprovalStore } from '../stored-responses/approvals.js';

export interface ApprovalDeps extends ToolCallDeps {
  approvals: ApprovalStore;
  approvalTtlMs: number;
}

export interface ResolvedApprovals {
  /** Tool results to append right after the stored conversation (previous_response_id). */
  afterHistory: ChatMessage[];
  /** For an echoed mcp_approval_request item: the call and its result, in its place in the input. */
  echoed: Map<string, ChatMessage[]>;
  /** mcp_call items of the approved calls that ran, first in the output. */
  items: McpCallItem[];
  chargedUsd: number;
  summaries: { id: string; name: string; status: string; latencyMs: number; reason?: string }[];
}

interface Ctx {
  access: Access;
  requestId: string;
  signal: AbortSignal;
  newId(prefix: string): string;
  now(): number;
}

/** `offered` for an approval: the tools this request may use (the key's, narrowed by its header). */
export const offeredIn =
  (keyTools: readonly { name: string }[]) =>
  (name: string): boolean =>
    keyTools.some((t) => t.name === name);

export async function resolveApprovals(
  deps: ApprovalDeps,
  /**
   * `offered`: whether this request may use the tool (the key's tools narrowed by its
   * x-tollgate-tools): an approval runs its call in this request, so this request's narrowing holds.
   */
  ctx: Ctx & { offered(name: string): boolean },
  input: readonly InputItem[],
  history: readonly ChatMessage[],
): Promise<ResolvedApprovals> {
  const out: ResolvedApprovals = { afterHistory: [], echoed: new Map(), items: [], chargedUsd: 0, summaries: [] };
  const echoedRequests = new Map<string, McpApprovalRequestItem>();
  for (const item of input)
    if (item.type === 'mcp_approval_request') echoedRequests.set((item as McpApprovalRequestItem).id, item as McpApprovalRequestItem);
  const inHistory = new Set<string>();
  for (const m of history) for (const c of (m.role === 'assistant' && m.tool_calls) || []) inHistory.add(c.id);
  const answered = new Set<string>();

  for (const item of input) {
    if (item.type !== 'mcp_approval_response') continue;
    const response = item as { approval_request_id: string; approve: boolean; reason?: string | null };
    const id = response.approval_request_id;
    if (answered.has(id)) continue;
    answered.add(id);
    const echo = echoedRequests.get(id);
    let approve = response.approve;
    let mismatch = false;
    if (echo) {
      // The client may show its user what it likes, but only the proposed call can be approved.
      const record = await deps.approvals.get(id, ctx.access.keyId);
      mismatch =
        record !== undefined &&
        (record.arguments !== echo.arguments ||
          record.serverLabel !== echo.server_label ||
          (!record.name.endsWith(`__${echo.name}`) && record.name !== echo.name));
      if (mismatch) approve = false;
    }
    const decision = await deps.approvals.decide(id, ctx.access.keyId, approve, Date.now(), ctx.requestId);
    const name =
      decision.ok || decision.record
        ? decision.ok
          ? decision.record.name
          : decision.record!.name
        : echo
          ? `${echo.server_label}__${echo.name}`
          : '';
    const args = decision.ok ? decision.record.arguments : (echo?.arguments ?? '{}');
    const refusalReason = mismatch ? 'approval_arguments_mismatch' : !decision.ok ? decision.reason : !approve ? 'approval_denied' : null;
    const result = await executeToolCall(deps, {
      access: ctx.access,
      name,
      arguments: args,
      callId: decision.ok ? decision.record.callId : id,
      requestId: ctx.requestId,
      sessionId: null,
      round: 0,
      signal: ctx.signal,
      timeoutMs: ctx.access.loop.timeoutMs,
      // Proposed to this key earlier; the allow-list, pins and rate limits are checked again now, and
      // whether this request's x-tollgate-tools leaves the tool in (reason tool_not_offered if not).
      offered: ctx.offered,
      refusal: refusalReason ? { status: 'denied', reason: refusalReason, message: refusalMessage(refusalReason, response.reason) } : null,
      okReason: 'approved',
      approved: true,
    });
    out.chargedUsd += result.chargedUsd;
    out.summaries.push({
      id,
      name,
      status: result.status,
      latencyMs: result.latencyMs,
      ...(result.reason ? { reason: result.reason } : {}),
    });
    // Only a decided approval of this key belongs in its conversation; a forged one leaves no trace there.
    if (!decision.ok) continue;
    const record = decision.record;
    const toolMessage: ChatMessage = { role: 'tool', tool_call_id: record.callId, content: result.outcome.content };
    if (inHistory.has(record.callId)) out.afterHistory.push(toolMessage);
    else {
      const call: ToolCall = { id: record.callId, type: 'function', function: { name: record.name, arguments: record.arguments } };
      const messages: ChatMessage[] = [{ role: 'assistant', content: null, tool_calls: [call] }, toolMessage];
      if (echo) out.echoed.set(id, messages);
      else out.afterHistory.push(...messages);
    }
    if (approve && result.status !== 'denied') {
      const failed = result.status !== 'ok';
      out.items.push({
        type: 'mcp_call',
        id: ctx.newId('mcp'),
        server_label: record.serverLabel,
        name: record.name.slice(record.serverLabel.length + 2),
        arguments: record.arguments,
        output: failed ? null : result.outcome.content,
        error: failed ? result.outcome.content : null,
        approval_request_id: id,
        status: failed ? 'failed' : 'completed',
      });
    }
  }
  return out;
}

/** Calls the stored conversation left open (a request never decided): the model learns they did not run. */
export function closeOpenCalls(history: ChatMessage[], input: readonly InputItem[]): void {
  const last = history.findLastIndex((m) => m.role === 'assistant');
  const calls = last >= 0 ? ((history[last] as { tool_calls?: ToolCall[] }).tool_calls ?? []) : [];
  if (!calls.length) return;
  const done = new Set<string>();
  for (const m of history.slice(last + 1)) if (m.role === 'tool') done.add(m.tool_call_id);
  for (const item of input) if (item.type === 'function_call_output') done.add((item as { call_id: string }).call_id);
  for (const c of calls)
    if (!done.has(c.id)) history.push({ role: 'tool', tool_call_id: c.id, content: 'not run: no approval was given for this call' });
}

function refusalMessage(reason: string, userReason: string | null | undefined): string {
  switch (reason) {
    case 'approval_denied':
      return `not run: the user denied this call${userReason ? ` (${userReason})` : ''}`;
    case 'approval_arguments_mismatch':
      return 'not run: the approval named arguments the gateway never proposed';
    case 'approval_expired':
      return 'not run: the approval expired';
    case 'approval_reused':
      return 'not run: this approval was already used';
    default:
      return 'not run: no such approval request for this key';
  }
}

/** Stores the proposed calls and records each as requested (not run). */
export async function proposeApprovals(
  deps: ApprovalDeps,
  ctx: Ctx,
  proposals: readonly { item: McpApprovalRequestItem; call: ToolCall }[],
): Promise<void> {
  if (!proposals.length) return;
  const ts = Date.now();
  await deps.approvals.propose(
    proposals.map(({ item, call }) => ({
      id: item.id,
      keyId: ctx.access.keyId,
      requestId: ctx.requestId,
      serverLabel: item.server_label,
      name: call.function.name,
      arguments: call.function.arguments,
      callId: call.id,
      ts,
      expiresAt: ts + deps.approvalTtlMs,
    })),
  );
  for (const { item, call } of proposals)
    await executeToolCall(deps, {
      access: ctx.access,
      name: call.function.name,
      arguments: call.function.arguments,
      callId: call.id,
      requestId: ctx.requestId,
      sessionId: null,
      round: null,
      offered: () => true,
      refusal: { status: 'denied', reason: 'approval_requested', message: `waiting for approval (${item.id})` },
    });
}

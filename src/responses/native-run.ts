// A Responses request to a provider that speaks Responses (`"apis": ["chat", "responses"]`),
// passed through (native-setup.ts, native-codec.ts): the client's bytes with only `model`
// rewritten when the gateway adds nothing, else the client's body plus the gateway's tools, run
// by the one tool loop. The client gets one response over every round: the upstream's items it may
// see, the gateway's hosted MCP items, approval requests, usage summed over rounds; its id is the
// last round's upstream response, so a follow-up with previous_response_id continues upstream.
import { runLoop, type LoopResult } from '../chat/loop.js';
import { recordRequest } from '../chat/record.js';
import { settleStream } from '../chat/settle-stream.js';
import { abortSignalOf } from '../upstream/cancel.js';
import { tollgateInfo } from '../chat/respond.js';
import { openSseChannel } from '../chat/sse-channel.js';
import type { ToolCall } from '../openai/types.js';
import type { ResponsesTurn } from '../wire/responses/native-turn.js';
import type { McpApprovalRequestItem } from '../wire/responses/types.js';
import { proposeApprovals } from './approval-flow.js';
import type { ResponsesCallInput, ResponsesDeps, ResponsesOutput } from './handler.js';
import { nativeResponsesCodec, type NativeRunState } from './native-codec.js';
import { ResponsesRelay } from './native-relay.js';
import type { NativeSetup } from './native-setup.js';
import { ResponsesSse } from './sse.js';
import { keepResponse } from './keep.js';
import { shownSizes } from './reasoning-size.js';
import type { StoredEntry } from '../stored-responses/response-store.js';
import { containersWritten } from '../governance/owned-containers.js';

export async function runNativeResponses(deps: ResponsesDeps, input: ResponsesCallInput, setup: NativeSetup): Promise<ResponsesOutput> {
  const { state, client } = setup;
  if (!state.stream) {
    const relay = new ResponsesRelay(null, setup.preamble, deps.newId!, clientTools(state));
    let result: LoopResult<ResponsesTurn>;
    try {
      result = await runLoop(deps, state, nativeResponsesCodec(deps, state, relay));
      const kept = afterLoop(deps, state, relay, result);
      if (kept) await kept;
      // The containers the answer reports are recorded as the key's before it goes out.
      const written = containersWritten(state);
      if (written) await written;
    } catch (err) {
      relay.afterEnd.settle();
      throw err;
    }
    // The last round's effects outside the request (settlement, rate-limit tokens, metrics, llm_calls
    // row) and the requests row, which reads the cost and usage counted at the round's finish, run
    // once the route has written the answer, as a stream's do after its last byte (issue 20).
    const after = () => {
      relay.afterEnd.settle();
      recordRequest(deps, state, { status: 200, startedAt: state.startedAt });
    };
    // The upstream's own bytes when nothing changed: the response object is then not built at all.
    // Not when the gateway offered tools: the upstream's echo of `tools` lists them (a stream's
    // relay shows the client's in its place; this answer must too).
    if (!relay.changed && !state.offeredTools && state.rounds === 1 && relay.firstText !== undefined && !tollgateInfo(state))
      return { kind: 'json', body: undefined, text: relay.firstText, after };
    return { kind: 'json', body: finalResponse(state, relay, result), text: undefined, after };
  }

  const { channel: sse, body } = openSseChannel(
    (sink) => new ResponsesSse(sink),
    input,
    () => client?.abort(),
  );
  const out: ResponsesOutput = body ? { kind: 'stream', body } : { kind: 'sent' };
  const relay = new ResponsesRelay(sse, setup.preamble, deps.newId!, clientTools(state));
  await settleStream(deps, state, sse, runLoop(deps, state, nativeResponsesCodec(deps, state, relay)), {
    // Sync when nothing is to be approved or kept (a pass-through's usual case): no promise per
    // stream, and the requests row written in the same turn as the client's end (StreamEnd.done).
    done(result) {
      const after = afterLoop(deps, state, relay, result);
      if (!after) return endStream(state, relay, sse, result);
      return after.then(
        () => endStream(state, relay, sse, result),
        (err: unknown) => {
          relay.afterEnd.settle();
          throw err;
        },
      );
    },
    stop: () => relay.afterEnd.settle(),
    failed(error) {
      relay.send({ type: 'error', code: error.code ?? error.type, message: error.message, param: error.param });
      relay.send({
        type: 'response.failed',
        response: Object.assign({}, state.last, {
          status: 'failed',
          output: relay.output,
          usage: state.totals ?? null,
          error: { code: error.code ?? error.type, message: error.message },
        }),
      });
      sse.end();
    },
  });
  return out;
}

/** The one terminal event and the stream's end; then the last round's effects (settlement, metrics, llm_calls row). */
function endStream(state: NativeRunState, relay: ResponsesRelay, sse: ResponsesSse, result: LoopResult<ResponsesTurn>): void {
  try {
    // The gateway's summary (rounds, tool calls, why it stopped) goes in the final event.
    if (tollgateInfo(state)) relay.changed = true;
    relay.finish(() => finalResponse(state, relay, result));
    sse.end();
  } finally {
    relay.afterEnd.settle();
  }
}

/**
 * What follows the loop: approval requests, then the upstream's response kept. Undefined when there
 * is neither (a pass-through's usual case): no promise to wait for between the upstream's last byte
 * and the client's.
 */
function afterLoop(
  deps: ResponsesDeps,
  state: NativeRunState,
  relay: ResponsesRelay,
  result: LoopResult<ResponsesTurn>,
): Promise<void> | undefined {
  const approvals = result.clientToolCalls.some((c) => state.hosted.get(c.function.name)?.needsApproval);
  const keep = toKeep(state, relay);
  if (!approvals && !keep) return undefined;
  return (async () => {
    if (approvals) await endWithApprovals(deps, state, relay, result);
    if (keep?.kind === 'upstream' && state.rebuilt) keep.shown = shownFields(state, relay, result);
    if (keep) await keepResponse(deps, keep);
  })();
}

/** Calls of hosted tools that need approval end the response as mcp_approval_request items, stored and recorded. */
async function endWithApprovals(
  deps: ResponsesDeps,
  state: NativeRunState,
  relay: ResponsesRelay,
  result: LoopResult<ResponsesTurn>,
): Promise<void> {
  const proposals: { item: McpApprovalRequestItem; call: ToolCall }[] = [];
  for (const call of result.clientToolCalls) {
    const tool = state.hosted.get(call.function.name);
    if (!tool?.needsApproval) continue;
    const item: McpApprovalRequestItem = {
      type: 'mcp_approval_request',
      id: relay.newId('mcpr'),
      server_label: tool.serverLabel,
      name: tool.entry.tool,
      arguments: call.function.arguments,
    };
    relay.writer.item(item);
    proposals.push({ item, call });
  }
  const ctx = { access: state.access, requestId: state.requestId, signal: abortSignalOf(state.cancel), newId: relay.newId, now: deps.now };
  await proposeApprovals(deps, ctx, proposals);
}

/** When the gateway added tools, the response echoes the client's own (the upstream's echo lists the gateway's too). */
const clientTools = (state: NativeRunState) => (state.offeredTools ? (state.body.tools ?? []) : undefined);

/** A response the upstream stored: GET, DELETE and previous_response_id find it for this key, at that provider. */
function toKeep(state: NativeRunState, relay: ResponsesRelay): StoredEntry | undefined {
  const id = state.last?.id;
  if (state.body.store === false || typeof id !== 'string' || !state.lastTarget) return undefined;
  // The items the client saw are what its item_references may name (owned-input.ts).
  const items: string[] = [];
  for (const item of relay.output) if (typeof item.id === 'string') items.push(item.id);
  const ref: StoredEntry = { kind: 'upstream', id, keyId: state.access.keyId, provider: state.lastTarget.providerName, items };
  const hidden = state.rebuilt ? gatewayCallIds(state) : undefined;
  if (hidden) ref.hiddenCalls = hidden;
  // What each item shown adds when it comes back by id (reasoning-size.ts).
  const sizes = shownSizes(state.itemTokens, relay.output);
  if (sizes) ref.itemTokens = sizes;
  return state.continuation === undefined ? ref : Object.assign(ref, { carriedTokens: state.continuation });
}

/**
 * The call ids of the function calls and outputs in the conversation sent upstream that the client
 * did not send: the gateway's tool rounds, a mixed turn's calls stitched back, echoed hosted-MCP
 * calls, a held conversation's. The upstream stores them as the last round's input; input_items
 * leaves them out, as the response left out the calls (stored.ts). Undefined when there are none.
 */
function gatewayCallIds(state: NativeRunState): string[] | undefined {
  let ids: Set<string> | undefined;
  for (const item of state.conv) {
    if (item.type !== 'function_call' && item.type !== 'function_call_output') continue;
    const callId = (item as { call_id?: unknown }).call_id;
    if (typeof callId === 'string') (ids ??= new Set()).add(callId);
  }
  if (!ids) return undefined;
  // Those the client sent itself are listed as it sent them.
  if (Array.isArray(state.body.input))
    for (const item of state.body.input) {
      const callId = (item as { call_id?: unknown }).call_id;
      if (typeof callId === 'string') ids.delete(callId);
    }
  return ids.size ? [...ids] : undefined;
}

/** The last round's response, carrying what the client saw of every round and the usage of all of them. */
function finalResponse(state: NativeRunState, relay: ResponsesRelay, result: LoopResult<ResponsesTurn>): Record<string, unknown> {
  return Object.assign({}, state.last, shownFields(state, relay, result));
}

/**
 * What the client is shown in place of the last round's own fields: the items of every round it may
 * see (approval requests included), its own tools (not the gateway's), the usage of all rounds, the
 * gateway's summary. Kept with a response the upstream stored after the gateway changed the request,
 * so GET /v1/responses/{id} shows what the POST did, not the upstream's last round (stored.ts).
 */
function shownFields(state: NativeRunState, relay: ResponsesRelay, result: LoopResult<ResponsesTurn>): Record<string, unknown> {
  const info = tollgateInfo(state);
  const stopped = state.stopNote !== undefined && result.clientToolCalls.length === 0;
  return Object.assign(
    {},
    stopped ? { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } : undefined,
    { output: relay.output },
    state.offeredTools ? { tools: state.body.tools ?? [] } : undefined,
    { usage: state.totals ?? state.last?.usage ?? null },
    info ? { tollgate: info } : undefined,
  );
}

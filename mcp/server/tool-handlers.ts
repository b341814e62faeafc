// tools/list and tools/call at /mcp. tools/list is the key's tool list, the same decision the chat
// loop uses; tools/call is the one governed tool call, run on behalf of this client: what the
// upstream server asks during it (elicitation, sampling) goes to this client as input_required
// rounds, its log messages and progress go to this request, and cancelling the request cancels it.
// Changes of the key's tool set are pushed to 2025 sessions as notifications/tools/list_changed.
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  inputRequired,
  type CallToolResult,
  type ClientCapabilities,
  type LoggingLevel,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { invalidRequest, toGatewayError } from '../../src/errors.js';
import { randomUUID } from 'node:crypto';
import { executeToolCall, type ToolCallResult } from '../../src/chat/tool-call.js';
import { toolNameSet } from '../../src/chat/tool-name-set.js';
import { type CallInteractions, type ElicitParams, InteractionRefused } from '../call-context.js';
import type { EndpointDeps } from './endpoint-deps.js';
import type { PendingCall } from './pending-calls.js';
import type { SessionMcpServer } from './plain-tool-calls.js';
import { accessOf, type SessionContext } from './session-server.js';
import { recordMcpToolRequest, recordRefusedMcpCall } from './tool-call-ledger.js';
import { sameTools, toCallToolResult, toMcpTools } from './tool-results.js';

type Call = PendingCall<CallToolResult, ServerContext>;

export function registerToolHandlers(server: SessionMcpServer, deps: EndpointDeps, session: SessionContext): () => void {
  // What this session last saw, so a change elsewhere in the catalog (another key's tools) stays quiet.
  let announced = deps.toolsFor(session.access);

  // A call refused before the handler below sees it (the SDK's check of its params) is a call too:
  // recorded as a refusal, through the same governed call (its tool_calls row) and request row.
  server.onRefusedCall = (request, ctx, err) => {
    // A retry that answers a call's questions is part of that call, whose rows come when it ends.
    const params = request.params as { requestState?: unknown } | undefined;
    if (params?.requestState !== undefined) return;
    const message = err instanceof Error ? err.message : String(err);
    const call = { access: accessOf(session, ctx), sessionId: session.id, rpcId: ctx.mcpReq.id, params };
    recordRefusedMcpCall(deps, call, { status: 'invalid_arguments', reason: 'invalid_params', message }, invalidRequest(message));
  };

  server.setRequestHandler('tools/list', (_req, ctx) => {
    const list = deps.toolsFor(accessOf(session, ctx));
    if (session.era === 'legacy') announced = list;
    return { tools: toMcpTools(list), ...cacheHints(deps, session) };
  });

  server.setRequestHandler('tools/call', async (req, ctx) => {
    const access = accessOf(session, ctx);
    const state = ctx.mcpReq.requestState<{ call: string }>();
    let call: Call | undefined;
    if (state) {
      call = deps.pending.get<CallToolResult, ServerContext>(state.call, access.keyId);
      if (!call) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'tollgate: this tool call is no longer waiting for input');
      call.deliver(ctx.mcpReq.inputResponses);
    } else {
      const name = req.params.name;
      const args = JSON.stringify(req.params.arguments ?? {});
      const started: Call = deps.pending.create(access.keyId);
      const interactions = interactionsFor(started, session, clientCapabilities(server, session, ctx), ctx);
      const request = { id: randomUUID(), ts: Date.now(), access, sessionId: session.id };
      const startedAt = deps.toolCalls.now();
      call = started.start(async (signal) => {
        let result: ToolCallResult | undefined;
        let failure: unknown;
        try {
          result = await executeToolCall(deps.toolCalls, {
            access,
            name,
            arguments: args,
            callId: `mcp:${String(ctx.mcpReq.id)}`,
            requestId: request.id,
            sessionId: session.id,
            round: null,
            signal,
            offered: (n) => toolNameSet(deps.toolsFor(access)).has(n),
            interactions,
          });
        } catch (err) {
          // Failed inside the gateway: its tool_calls row is written (executeToolCall), the
          // client's round gets the error (pending-calls.ts), this row says so.
          failure = err ?? new Error('the call failed');
          throw failure;
        } finally {
          // Also when the call failed inside the gateway: every call the client made has its row.
          const latencyMs = deps.toolCalls.now() - startedAt;
          const row = Object.assign({}, request, { cancelled: signal.aborted, latencyMs, failure });
          // A 2025 session's row says what became of the answer (deliveries.ts): 200 once it left
          // the gateway, 499 when its stream was let go with it or its client left first.
          const answered = session.deliveries;
          if (answered && result && !signal.aborted && !ctx.mcpReq.signal.aborted) {
            const done = result;
            answered.expect(ctx.mcpReq.id, (delivered) =>
              recordMcpToolRequest(deps.ledger, delivered ? row : Object.assign({}, row, { undelivered: true }), done),
            );
          } else recordMcpToolRequest(deps.ledger, row, result);
        }
        return toCallToolResult(result.outcome, deps.mcp.getTool(name)?.server);
      });
    }
    // try/await rather than .catch: no promise more per call on /mcp's path (issue 20).
    let round: Awaited<ReturnType<Call['round']>>;
    try {
      round = await call.round(ctx.mcpReq.signal, ctx);
    } catch (err) {
      // The call failed inside the gateway (a governance store away…): an error naming why, as a
      // /v1 request gets, not a result (its rows are written).
      throw new ProtocolError(ProtocolErrorCode.InternalError, `tollgate: ${toGatewayError(err).message}`);
    }
    if ('done' in round) return round.done;
    return inputRequired({ inputRequests: round.ask, requestState: await deps.stateCodec.mint({ call: call.id }, ctx) });
  });

  // 2026-07-28 clients hear of changes on their listen streams (modern.ts), not per request.
  if (session.era !== 'legacy') return () => undefined;
  const toolsChanged = () => {
    const next = deps.toolsFor(session.access);
    if (sameTools(next, announced)) return;
    announced = next;
    // Before initialization completes there is nobody to tell; the client lists tools anyway.
    server.sendToolListChanged().catch((err: unknown) => deps.onError?.(err as Error, { kind: 'notification' }));
  };
  const offTools = deps.mcp.onToolsChanged(toolsChanged);
  // The key changed (admin API, another replica): a narrowed key's session hears list_changed; a
  // deleted or blocked key's session ends (its stream with it), as its next request would be refused.
  const offKeys = deps.keys?.onChanged(() => {
    try {
      session.access = deps.keys!.refresh(session.access);
    } catch {
      server.close().catch((err: unknown) => deps.onError?.(err as Error, { kind: 'notification' }));
      return;
    }
    toolsChanged();
  });
  return () => {
    offTools();
    offKeys?.();
  };
}

/** List results of 2026-07-28 requests say how long a client may reuse them; per key, so private. */
export function cacheHints(deps: EndpointDeps, session: SessionContext): { ttlMs?: number; cacheScope?: 'private' } {
  return session.era === 'modern' ? { ttlMs: deps.listTtlMs, cacheScope: 'private' } : {};
}

/** The 2026-07-28 per-request metadata (the SDK types it as opaque). */
const envelope = (ctx: ServerContext) => ctx.mcpReq.envelope as Record<string, unknown> | undefined;

function clientCapabilities(server: Server, session: SessionContext, ctx: ServerContext): ClientCapabilities {
  if (session.era === 'legacy') return server.getClientCapabilities() ?? {};
  return (envelope(ctx)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? {};
}

/** What this client can do for the upstream server during the call, from the capabilities it declared. */
function interactionsFor(call: Call, session: SessionContext, caps: ClientCapabilities, ctx: ServerContext): CallInteractions {
  // Log messages and progress go to the request serving the call's current round; between the
  // rounds of a 2026 call there is none, and they are dropped.
  const current = () => call.current;
  const caller = session.era === 'legacy' ? 'the MCP client of this /mcp session' : 'the MCP client of this /mcp request';
  // A 2026-07-28 request asks for log messages by naming a level; a 2025 session filters by the
  // level it set (logging/setLevel), which the SDK applies in ctx.mcpReq.log.
  const requestedLevel = envelope(ctx)?.[LOG_LEVEL_META_KEY] as LoggingLevel | undefined;
  const logs = session.era === 'legacy' || requestedLevel !== undefined;
  const progressToken = (c: ServerContext | undefined) => c?.mcpReq._meta?.progressToken;
  const elicitation = caps.elicitation as { form?: object; url?: object } | undefined;
  // A 2025 client gone from its call's stream cannot be asked anything more about the call: the
  // question would go nowhere and the call wait inputTimeoutMs for it. Refused at once; the call
  // itself runs on (leaving is not cancelling: spec 2025-11-25, transports).
  const unreachable = (): Promise<never> | undefined =>
    session.reaches && !session.reaches(ctx.mcpReq.id)
      ? Promise.reject(new InteractionRefused('it is no longer connected to this call (its request’s stream is gone)'))
      : undefined;
  return {
    caller,
    ...(elicitation
      ? {
          elicit: (params: ElicitParams, signal: AbortSignal) => {
            const gone = unreachable();
            if (gone) return gone;
            const mode = params.mode === 'url' ? 'url' : 'form';
            // `elicitation: {}` declares form mode only.
            const supported =
              mode === 'url' ? elicitation.url !== undefined : elicitation.form !== undefined || elicitation.url === undefined;
            if (!supported) return Promise.reject(new InteractionRefused(`it does not support ${mode}-mode elicitation`));
            return call.ask({ method: 'elicitation/create', params }, signal) as never;
          },
        }
      : {}),
    ...(caps.sampling
      ? { sample: (params, signal) => unreachable() ?? (call.ask({ method: 'sampling/createMessage', params }, signal) as never) }
      : {}),
    ...(logs
      ? {
          logLevel: requestedLevel ?? 'debug',
          log: (level, data, logger) =>
            void current()
              ?.mcpReq.log(level, data, logger)
              .catch(() => undefined),
        }
      : {}),
    ...(progressToken(ctx) !== undefined
      ? {
          progress: (update) => {
            const c = current();
            const token = progressToken(c);
            if (c && token !== undefined) {
              void c.mcpReq
                .notify({ method: 'notifications/progress', params: { progressToken: token, ...stripUndefined(update) } })
                .catch(() => undefined);
            }
          },
        }
      : {}),
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

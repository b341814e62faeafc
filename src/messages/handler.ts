// POST /v1/messages: validate → admit (key, limits) → route → loop → respond → record, as chat does.
// A model whose provider speaks Messages gets the client's request passed through (native-run.ts);
// any other gets it translated through chat (translated-run.ts). Either way the same loop, budgets,
// caps and ledger rows, with surface 'messages' and the client's session id.
import type { ChatDeps } from '../chat/handler.js';
import { parseJsonBody } from '../chat/handler.js';
import { asClientError } from '../chat/client-error.js';
import { linkSignal, type LinkedSignal } from '../chat/deadline.js';
import type { Cancel } from '../upstream/cancel.js';
import type { Access, ToolEntry } from '../chat/ports.js';
import { type RequestOutcome, recordRequest } from '../chat/record.js';
import { resolveTargets } from '../chat/resolve-targets.js';
import type { LoopState } from '../chat/run-state.js';
import type { SseSink } from '../chat/sse-channel.js';
import { sessionIdFrom } from '../chat/session-id.js';
import type { Target } from '../chat/targets.js';
import { NO_NAMES, toolNameSet } from '../chat/tool-name-set.js';
import { GatewayError } from '../errors.js';
import type { HeaderSource } from '../governance/keys.js';
import { clientOutputCap } from '../governance/output-cap.js';
import { parseMessagesRequest } from '../wire/messages/request-schema.js';
import { checkRequestSize } from '../wire/request-size.js';
import { checkDuplicateKeys, MESSAGES_GOVERNED } from '../wire/duplicate-keys.js';
import { rawErrorOf } from '../wire/messages/errors.js';
import type { MessagesRequest } from '../wire/messages/types.js';
import { fallsThrough, pathGroups } from './fallbacks.js';
import { runNative } from './native-run.js';
import { runTranslated } from './translated-run.js';
import { refuseDocumentReferences, refuseMcpConnector, refuseUnknownToolTypes } from './budget-inputs.js';
import { mayName } from '../wire/may-name.js';
import { refuseLongContextBeta } from '../wire/messages/long-context.js';
import { type ContainerDeps, containerOfMessagesRequest, refuseOthersContainers } from '../governance/owned-containers.js';
import { refusePremiumRates } from '../wire/messages/premium-rates.js';
import { refuseCompaction } from '../wire/messages/compaction.js';

export interface MessagesDeps extends ChatDeps {
  /** Silence after which a streamed response gets a ping. */
  pingIntervalMs: number;
  /** Whose code-execution containers (governance/owned-containers.ts). */
  containers: ContainerDeps;
}

export interface MessagesInput {
  requestId: string;
  headers: HeaderSource;
  bodyText: string;
  /** Path and query as called (forwarded to a Messages upstream, e.g. /v1/messages?beta=true). */
  path: string;
  /** The client's disconnect: on the Node route a Disconnect, which makes an AbortSignal only when something needs one. */
  signal: Cancel;
  /** Writes SSE straight to Node's response, with these extra headers; absent: a web stream body. */
  sseSink?: ((requestId: string, headers: Record<string, string>) => SseSink) | undefined;
}

export type MessagesOutput =
  | {
      kind: 'json';
      text: string;
      headers: Record<string, string>;
      /** When set, the route must run it once it has written the answer (the last round's effects and the requests row). */
      after?: (() => void) | undefined;
    }
  | { kind: 'stream'; body: ReadableStream<Uint8Array>; headers: Record<string, string> }
  | { kind: 'sent' };

/** What both runs start from: the request admitted, routed and offered its tools. */
export interface MessagesStart {
  body: MessagesRequest;
  target: Target;
  access: Access;
  injected: readonly ToolEntry[];
  client: LinkedSignal | undefined;
  /**
   * The loop state's common part, counters at zero (no conversation yet). A run adds its own fields
   * with Object.assign, never as `{ ...base, more }`: on Node 20 a literal that starts with a spread
   * and goes on gets a map of its own per object (V8 shares none of them), which cost 20–60 µs per
   * request here and left every later access to the state megamorphic (bench/README.md, issue 20).
   */
  base: LoopState & { readonly cancel: Cancel };
}

/** Anthropic's headers a pass-through forwards as they came: both are open lists, never filtered. */
const FORWARDED = ['anthropic-version', 'anthropic-beta'];

export function forwardedHeaders(headers: HeaderSource): Record<string, string> {
  const out: Record<string, string> = {};
  // Indexed, not for-of: once per request, in code long left unoptimized, a for-of step allocates.
  for (let i = 0; i < FORWARDED.length; i++) {
    const name = FORWARDED[i]!;
    const value = headers.get(name);
    if (value) out[name] = value;
  }
  return out;
}

export async function handleMessages(deps: MessagesDeps, input: MessagesInput): Promise<MessagesOutput> {
  const startedAt = deps.now();
  const sessionId = sessionIdFrom(input.headers, deps.sessionHeaders);
  let state: LoopState | undefined;
  let access: Access | undefined;
  let model: string | undefined;
  try {
    access = await deps.gate.admit(input.headers);
    const json = parseJsonBody(input.bodyText);
    // The body may go upstream as sent: a governed key twice would be read one way here, maybe another there.
    checkDuplicateKeys(input.bodyText, MESSAGES_GOVERNED);
    checkRequestSize(json, deps.requestLimits);
    const { fallbacks, ...body } = parseMessagesRequest(json);
    model = body.model;
    // Tollgate's field never goes upstream: without it the pass-through sends the body re-serialised.
    const bodyText = fallbacks ? JSON.stringify(body) : input.bodyText;
    const groups = pathGroups(resolveTargets(deps, { model: body.model, fallbacks }, access));
    // The client's betas go upstream on pass-through: one billed above the table's rates cannot be budgeted.
    // So does the body, as sent: fields that make the upstream bill above the table's rates too.
    if (access.budgeted && groups.some((g) => g[0]!.apis.has('messages'))) {
      refuseLongContextBeta(input.headers.get('anthropic-beta'));
      refusePremiumRates(body);
      refuseCompaction(body);
      // A tool type the gateway does not know: what the upstream adds for it no reservation bounds.
      refuseUnknownToolTypes(body);
    }
    clientOutputCap(body);
    // Anthropic's MCP connector: servers the upstream calls itself, which no budget can hold.
    if (access.budgeted) refuseMcpConnector(body);
    // A document by URL or file id: its pages are billed as input its bytes do not bound.
    if (access.budgeted && mayName(input.bodyText, 'document')) refuseDocumentReferences(body.messages);
    // Another key's code-execution container would run this key's code beside its files.
    const named = refuseOthersContainers(containerOfMessagesRequest(body.container), deps.containers.owners, access.keyId);
    if (named) await named;
    // What earlier groups' failed attempts were charged (a timeout may have been billed) stays on the row.
    let spent: Pick<LoopState, 'costUsd' | 'costUnknown' | 'costEstimated'> | undefined;
    for (let i = 0; ; i++) {
      const group = groups[i]!;
      const start = prepare(deps, input, body, access, startedAt, sessionId, group);
      const run = group[0]!.apis.has('messages') ? runNative : runTranslated;
      try {
        return await run(deps, bodyText === input.bodyText ? input : Object.assign({}, input, { bodyText }), start, (s: LoopState) => {
          if (spent) Object.assign(s, { costUsd: spent.costUsd, costUnknown: spent.costUnknown, costEstimated: spent.costEstimated });
          state = s;
        });
      } catch (err) {
        if (i === groups.length - 1 || !fallsThrough(err)) throw err;
        if (state) {
          spent = { costUsd: state.costUsd, costUnknown: state.costUnknown, costEstimated: state.costEstimated };
          if (!state.stream) state.release();
        }
      }
    }
  } catch (err) {
    throw recordFailure(deps, input, err, { state, startedAt, access, model, sessionId });
  } finally {
    if (!state?.stream) state?.release();
  }
}

/**
 * Writes the requests row of a Messages request that failed and returns what to throw: an
 * Anthropic upstream's own error as it came (its status in the ledger), else the client error.
 */
export function recordFailure(
  deps: MessagesDeps,
  input: MessagesInput,
  err: unknown,
  at: Pick<RequestOutcome, 'startedAt' | 'access' | 'model' | 'sessionId' | 'operation'> & { state?: LoopState | undefined },
): GatewayError {
  const { state, ...known } = at;
  const error = asClientError(err, state);
  const raw = rawErrorOf(err);
  recordRequest(
    deps,
    state,
    Object.assign({}, known, {
      status: raw?.status ?? error.status,
      error,
      bodyText: input.bodyText,
      requestId: input.requestId,
      surface: 'messages' as const,
    }),
  );
  return err instanceof GatewayError && raw ? err : error;
}

function prepare(
  deps: MessagesDeps,
  input: MessagesInput,
  body: MessagesRequest,
  access: Access,
  startedAt: number,
  sessionId: string | null,
  targets: readonly Target[],
): MessagesStart {
  const target = targets[0]!;
  const clientTools = body.tools ?? [];
  const clientToolNames: ReadonlySet<string> = clientTools.length ? new Set(clientTools.map((t) => t.name)) : NO_NAMES;
  // A client tool with the same name as a gateway tool wins, as on chat.
  let injected = body.tool_choice?.type === 'none' ? [] : deps.toolsFor(access, input.headers.get('x-tollgate-tools') ?? undefined);
  if (clientToolNames.size && injected.some((t) => clientToolNames.has(t.name)))
    injected = injected.filter((t) => !clientToolNames.has(t.name));
  const stream = body.stream === true;
  // A stream returned as a web stream can also be cancelled by its body's reader, so it gets its own
  // controller; written to Node's response, the disconnect signal already covers a client gone.
  const client = stream && !input.sseSink ? linkSignal(input.signal) : undefined;
  const clientSignal: Cancel = client?.signal ?? input.signal;
  const deadline = injected.length ? linkSignal(clientSignal, access.loop.timeoutMs) : undefined;
  const cancel: Cancel = deadline?.signal ?? clientSignal;
  return {
    body,
    target,
    access,
    injected,
    client,
    base: {
      requestId: input.requestId,
      startedAt,
      surface: 'messages',
      sessionId,
      model: body.model,
      clientRequest: body,
      targets,
      access,
      stream,
      injected,
      injectedNames: toolNameSet(injected),
      clientToolNames,
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
      costUsd: 0,
      costUnknown: false,
      costEstimated: false,
      toolCalls: [],
      lastTarget: undefined,
      stopNote: undefined,
    },
  };
}

/** A run of one path: it reports its state as soon as it exists (for the ledger row on failure). */
export type MessagesRun = (
  deps: MessagesDeps,
  input: MessagesInput,
  start: MessagesStart,
  onState: (state: LoopState) => void,
) => Promise<MessagesOutput>;

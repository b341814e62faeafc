// What an upstream server may ask of the gateway's client connection while a tool runs:
// elicitation (ask the user), sampling (ask a model) and log messages. Each is relayed to the call
// it belongs to (call-context.ts) and, through it, to the caller's session — or refused with an
// error that says why, which the server then handles as it would any client refusal. Also the
// change notifications the link follows.
// https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation
// https://modelcontextprotocol.io/specification/2025-11-25/client/sampling
import { ProtocolError, ProtocolErrorCode, type Client, type LoggingLevel } from '@modelcontextprotocol/client';
import { type ActiveCall, type CallInteractions, type InteractionKind, InteractionRefused, callFor } from './call-context.js';
import type { OfferKind } from './listings.js';

export interface RelayTarget {
  /** The configured server name. */
  readonly name: string;
  /** Calls in flight to this server right now. */
  readonly inflight: ReadonlySet<ActiveCall>;
  /** Whether the transport ties a server's messages to the request they concern (all but stdio). */
  wireRelatesMessages(): boolean;
  /** Whether calls other than `only` may still be running at the server (stdio; abandoned-calls.ts). */
  othersMayRun(only: ActiveCall): boolean;
}

export type UnboundLog = (entry: { server: string; level: LoggingLevel; logger?: string | undefined; data: unknown }) => void;

const SEVERITY: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** Whether a message at `level` passes a filter set at `min` (RFC 5424 order). */
function atLeast(level: LoggingLevel, min: LoggingLevel | undefined): boolean {
  return min === undefined || SEVERITY.indexOf(level) >= SEVERITY.indexOf(min);
}

function refuse(call: ActiveCall | undefined, kind: InteractionKind, why?: string): never {
  if (!call) {
    // Not tied to any call (a stdio server with several calls in flight, or a request on a
    // standalone stream): there is nobody it could rightly go to.
    throw new ProtocolError(
      ProtocolErrorCode.InvalidRequest,
      `tollgate: this ${kind} request is not tied to a tool call the gateway can attribute to one client, so it cannot be relayed`,
    );
  }
  const interactions = call.interactions;
  const reason = !interactions
    ? `this call came from a model through the LLM API, which cannot answer ${kind} requests (MCP clients at /mcp that declare the capability can)`
    : why
      ? `${interactions.caller} could not answer: ${why}`
      : `${interactions.caller} did not declare the ${kind} capability`;
  call.refused.push({ kind, reason });
  throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `tollgate: ${reason}`);
}

function answerer<K extends 'elicit' | 'sample'>(call: ActiveCall | undefined, key: K): NonNullable<CallInteractions[K]> | undefined {
  const fn = call?.interactions?.[key];
  return fn ? (fn.bind(call.interactions) as NonNullable<CallInteractions[K]>) : undefined;
}

/** Registers the relaying handlers on a client before it connects. */
export function registerRelayHandlers(client: Client, target: RelayTarget, unbound: UnboundLog): void {
  const othersMayRun = (only: ActiveCall) => target.othersMayRun(only);
  const bound = () => callFor(target.name, target.inflight, target.wireRelatesMessages(), othersMayRun);

  client.setRequestHandler('elicitation/create', async (request, ctx) => {
    const call = bound();
    const elicit = answerer(call, 'elicit');
    if (!call || !elicit) refuse(call, 'elicitation');
    return call.waitFor(elicit(request.params, ctx.mcpReq.signal)).catch((err: unknown) => {
      if (err instanceof InteractionRefused) refuse(call, 'elicitation', err.message);
      throw err;
    });
  });

  client.setRequestHandler('sampling/createMessage', async (request, ctx) => {
    const call = bound();
    const sample = answerer(call, 'sample');
    if (!call || !sample) refuse(call, 'sampling');
    return call.waitFor(sample(request.params, ctx.mcpReq.signal)).catch((err: unknown) => {
      if (err instanceof InteractionRefused) refuse(call, 'sampling', err.message);
      throw err;
    });
  });

  client.setNotificationHandler('notifications/message', (notification) => {
    const { level, logger, data } = notification.params;
    const call = bound();
    if (call?.interactions?.log) {
      if (atLeast(level, call.interactions.logLevel)) call.interactions.log(level, data, logger);
      return;
    }
    // A server's own log line about no call in particular is the operator's, never a client's:
    // one upstream serves every key.
    unbound({ server: target.name, level, logger, data });
  });
}

const LIST_CHANGED = {
  'notifications/tools/list_changed': ['tools'],
  'notifications/prompts/list_changed': ['prompts'],
  'notifications/resources/list_changed': ['resources', 'templates'],
} as const satisfies Record<string, readonly OfferKind[]>;

/** The server's change notifications: which listings to read again, and which resources changed. */
export function registerChangeHandlers(
  client: Client,
  on: { listChanged(kinds: readonly OfferKind[]): void; resourceUpdated(uri: string): void },
): void {
  for (const [method, kinds] of Object.entries(LIST_CHANGED)) {
    client.setNotificationHandler(method as keyof typeof LIST_CHANGED, () => on.listChanged(kinds));
  }
  client.setNotificationHandler('notifications/resources/updated', (n) => on.resourceUpdated(n.params.uri));
}

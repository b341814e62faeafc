// One request to an upstream server on behalf of a caller: run inside an ActiveCall (so what the
// server asks meanwhile reaches that caller, call-context.ts), under a deadline that pauses while
// the caller answers, relaying progress and passing cancellation on.
import { LOG_LEVEL_META_KEY, ProtocolError, type CallToolResult, type Client, type RequestOptions } from '@modelcontextprotocol/client';
import { ActiveCall, type CallInteractions, type Caller } from './call-context.js';
import { classifyCallError, failure, type ToolCallOutcome, type ToolCallStatus } from './call-outcome.js';
import { Deadline, NO_SDK_TIMEOUT } from './deadline.js';
import type { FairQueue } from './fair-queue.js';
import { toolErrorResult, toToolMessage } from './mapping.js';
import type { ServerLink } from './server-link.js';
import type { McpToolEntry } from './tool-catalog.js';

type OnProgress = NonNullable<RequestOptions['onprogress']>;

/** The outcome of a prompt get, resource read or completion: a result, or why not. */
export interface UpstreamOutcome<T> {
  status: ToolCallStatus;
  result?: T;
  /** The server's JSON-RPC error, to pass on to an MCP client as one. */
  error?: { code: number; message: string; data?: unknown };
  errorMessage?: string;
  latencyMs: number;
}

const INTERACTION = { elicitation: 'user input (elicitation)', sampling: 'a model completion (sampling)' } as const;

/**
 * Runs `fn` as one call to `link`'s server: bound, bounded by its deadline, counted in flight, and,
 * when the server has `maxCallsInFlight`, in its turn among its team's (call.team) and other
 * teams' calls, and within its team among its key's (call.key) and other keys' (fair-queue.ts).
 * The wait for a turn runs on the call's deadline, so a queued call times out (or is cancelled)
 * exactly as a sent one does, and leaves the queue without being sent.
 */
async function asCall<T>(
  link: ServerLink,
  call: ActiveCall,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  fn: (client: Client, options: RequestOptions) => Promise<T>,
): Promise<{ value: T } | { error: unknown; timedOut: boolean; sent: boolean }> {
  const first = link.client;
  if (!first) return notConnected(link);
  const deadline = new Deadline(timeoutMs, call);
  if (signal) deadline.follow(signal);
  const calls = link.calls;
  const queue = calls.queue;
  const key = call.key;
  const team = call.team;
  if (queue !== undefined) {
    let turn = queue.acquire(key, deadline.signal, team);
    if (turn !== true) turn = await turn;
    // Aborted while the turn was on its way to this call (a turn resolves a tick later): not sent either.
    if (!turn || deadline.signal.aborted) {
      if (turn) queue.release(key, team);
      deadline.clear();
      return { error: deadline.signal.reason, timedOut: deadline.expired, sent: false };
    }
    // The server may have gone while the call waited.
    if (!link.client) {
      queue.release(key, team);
      deadline.clear();
      return notConnected(link);
    }
  }
  const client = queue === undefined ? first : link.client!;
  calls.inflight.add(call);
  let holdMs = 0;
  try {
    const options: RequestOptions = { signal: deadline.signal, timeout: NO_SDK_TIMEOUT };
    const value = await call.run(() => fn(client, options), calls.wireRelatesMessages());
    link.health.heard();
    calls.callEnded(call, true);
    return { value };
  } catch (error) {
    // An error the server sent back: it is there (health-check.ts), and the tool may still run on.
    if (error instanceof ProtocolError) {
      link.health.heard();
      if (!deadline.signal.aborted) calls.callEnded(call, true);
    }
    // The caller cancelled a call already sent: the SDK tells the server (notifications/cancelled)
    // and drops its answer, so the gateway cannot see when the server stops. The slot stays taken
    // for the rest of the call's deadline — what it could have held had the caller waited — or a
    // key could cancel and resend to pile calls up at the server past maxCallsInFlight, every
    // other key's behind them. A timeout gives it back at once: the operator's limit is spent.
    if (queue !== undefined && deadline.signal.aborted && !deadline.expired) holdMs = deadline.left();
    // Given up on while sent: the server may run it on and ask questions no call can own.
    if (deadline.signal.aborted) calls.callEnded(call, false);
    // Handed to the transport: the server may have run it (timeout, cancel, a connection lost
    // after sending), so a paid tool is charged.
    return { error, timedOut: deadline.expired, sent: true };
  } finally {
    calls.inflight.delete(call);
    if (queue !== undefined) giveBack(queue, key, team, holdMs);
    deadline.clear();
  }
}

function notConnected(link: ServerLink): { error: unknown; timedOut: boolean; sent: boolean } {
  return { error: new Error(`MCP server "${link.name}" is not connected`), timedOut: false, sent: false };
}

/** A call that timed out in the queue: say so, so that a full server is not taken for a slow tool. */
function notSent(link: ServerLink, ms: number): string {
  return `the call waited ${ms} ms for its turn at the server (maxCallsInFlight ${link.config.maxCallsInFlight}) and was not sent`;
}

function giveBack(queue: FairQueue, key: string, team: string | null, holdMs: number): void {
  if (holdMs <= 0) queue.release(key, team);
  else setTimeout(() => queue.release(key, team), holdMs).unref();
}

export async function runToolCall(
  link: ServerLink,
  entry: McpToolEntry,
  args: unknown,
  opts: {
    signal: AbortSignal | undefined;
    timeoutMs: number;
    elapsed: () => number;
    interactions?: CallInteractions | undefined;
    /** The calling key's id and its team: whose turn the call takes at a server with maxCallsInFlight. */
    caller?: string | null | undefined;
    team?: string | null | undefined;
  },
): Promise<ToolCallOutcome> {
  const call = new ActiveCall(link.name, opts.interactions, opts.caller ?? '', opts.team ?? null);
  const interactions = call.interactions;
  const progress = interactions?.progress?.bind(interactions);
  // 2026-07-28 servers log about a request only when it names a level; 2025 ones were set once.
  const logLevel = link.era === 'modern' && interactions?.log ? interactions.logLevel : undefined;
  const params = {
    name: entry.tool,
    arguments: args as Record<string, unknown>,
    ...(logLevel ? { _meta: { [LOG_LEVEL_META_KEY]: logLevel } } : {}),
  };
  const ran = await asCall(link, call, opts.timeoutMs, opts.signal, (client, options) =>
    client.callTool(
      params,
      Object.assign(
        {},
        options,
        { toolDefinition: entry.definition },
        progress
          ? { onprogress: ((p) => progress({ progress: p.progress, total: p.total, message: p.message })) as OnProgress }
          : undefined,
      ),
    ),
  );
  let outcome: ToolCallOutcome;
  if ('value' in ran) {
    const result = ran.value as CallToolResult;
    const message = toToolMessage(result);
    outcome = {
      status: message.isError ? 'error' : 'ok',
      sent: true,
      content: message.content,
      isError: message.isError,
      raw: result,
      ...(message.isError ? { errorMessage: message.content.replace(/^Error: /, '') } : {}),
      latencyMs: opts.elapsed(),
    };
  } else if (ran.timedOut) {
    const said = ran.sent ? `the tool did not answer within ${opts.timeoutMs} ms` : notSent(link, opts.timeoutMs);
    outcome = failure('timeout', said, opts.elapsed(), ran.sent);
  } else {
    const { status, message, transport } = classifyCallError(ran.error, opts.signal?.aborted === true);
    if (transport) link.suspect(ran.error);
    outcome = failure(status, link.redact(message), opts.elapsed(), ran.sent);
  }
  return explainRefusal(entry.name, call, outcome);
}

/**
 * A tool that asked its caller for something the caller cannot give, and then failed, failed
 * because of that: say so, rather than pass on whatever the server made of the refusal.
 */
function explainRefusal(name: string, call: ActiveCall, outcome: ToolCallOutcome): ToolCallOutcome {
  const refused = call.refused[0];
  if (!refused || (outcome.status === 'ok' && !outcome.isError)) return outcome;
  const reason = refused.kind === 'elicitation' ? 'elicitation_required' : 'sampling_required';
  const said = outcome.errorMessage ? `; the tool said: ${outcome.errorMessage}` : '';
  const errorMessage = `tool ${name} asked for ${INTERACTION[refused.kind]}, and ${refused.reason}${said}`;
  return {
    status: outcome.status === 'ok' ? 'error' : outcome.status,
    sent: outcome.sent,
    content: toolErrorResult(reason, errorMessage),
    isError: true,
    errorMessage,
    reason,
    latencyMs: outcome.latencyMs,
  };
}

/**
 * A prompt get, resource read or completion on behalf of `caller` (a key and its team): never
 * throws; a server's JSON-RPC error is kept to pass on.
 */
export async function runUpstream<T>(
  link: ServerLink,
  signal: AbortSignal | undefined,
  caller: Caller | undefined,
  fn: (client: Client, options: RequestOptions) => Promise<T>,
): Promise<UpstreamOutcome<T>> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  // Prompts and resources relay nothing: what their servers ask during them is refused.
  const ran = await asCall(
    link,
    new ActiveCall(link.name, undefined, caller?.keyId ?? '', caller?.teamId ?? null),
    link.config.callTimeoutMs,
    signal,
    fn,
  );
  if ('value' in ran) return { status: 'ok', result: ran.value, latencyMs: latencyMs() };
  if (ran.timedOut) {
    const said = ran.sent ? `no answer within ${link.config.callTimeoutMs} ms` : notSent(link, link.config.callTimeoutMs);
    return { status: 'timeout', errorMessage: said, latencyMs: latencyMs() };
  }
  const { status, message, transport } = classifyCallError(ran.error, signal?.aborted === true);
  if (transport) link.suspect(ran.error);
  const error = ran.error instanceof ProtocolError ? { code: ran.error.code, message: ran.error.message, data: ran.error.data } : undefined;
  return { status, errorMessage: link.redact(message), ...(error ? { error } : {}), latencyMs: latencyMs() };
}

// Who an upstream server is talking to while one of its tool calls runs. An MCP server may send its
// client requests and notifications during a call (elicitation, sampling, log messages, progress);
// the gateway holds one connection per server for every key, so each of those must be bound to the
// call — and through it to the one session — that caused it, or refused. Never guessed.
//
// Binding: the surface that starts a call (the /mcp endpoint) hands its interactions to the call
// (ToolCallRequest.interactions; `withInteractions` is the implicit form), and the manager runs the
// upstream request inside `ActiveCall.run`. Messages an upstream sends on the response stream of
// that request (Streamable HTTP) or as input_required rounds of it (2026-07-28) are handled in that
// async context; a stdio server has no such link on the wire, so its messages bind only while
// exactly one call to it is in flight, and its calls do not enter an async context at all.
//
// Why not always: on Node 20 the first AsyncLocalStorage.run turns on async hooks for the whole
// process, for good, and every promise and async resource after that pays for them (4–5% of the
// gateway's CPU in a tool-loop profile, issue 20). A gateway whose MCP servers are all stdio never
// needs them.
// https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#sending-messages-to-the-server
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, LoggingLevel } from '@modelcontextprotocol/client';

export type ElicitParams = ElicitRequest['params'];
export type SamplingParams = CreateMessageRequest['params'];
export type InteractionKind = 'elicitation' | 'sampling';

export interface ProgressUpdate {
  progress: number;
  total?: number | undefined;
  message?: string | undefined;
}

/** What the caller of a tool can do while it runs. A missing member means "cannot". */
export interface CallInteractions {
  /** Shown to the upstream server (and in the tool result) when an interaction is refused. */
  readonly caller: string;
  elicit?(params: ElicitParams, signal: AbortSignal): Promise<ElicitResult>;
  sample?(params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult>;
  /** Log messages the upstream sends about this call, at or above `logLevel`. */
  log?(level: LoggingLevel, data: unknown, logger?: string): void;
  /** The lowest level the caller wants (asked of 2026-07-28 servers per request). */
  readonly logLevel?: LoggingLevel | undefined;
  progress?(update: ProgressUpdate): void;
}

/** Whose call it is: the calling key and its team (null: none), whose turn it takes at a server with maxCallsInFlight. */
export interface Caller {
  readonly keyId: string | null;
  readonly teamId: string | null;
}

/** Thrown by an interaction the caller will not answer after all; the reason reaches the server and the result. */
export class InteractionRefused extends Error {}

const surface = new AsyncLocalStorage<CallInteractions>();
const active = new AsyncLocalStorage<ActiveCall>();

/** Runs `fn` (which makes tool calls) on behalf of a caller that can do `interactions`. */
export function withInteractions<T>(interactions: CallInteractions, fn: () => T): T {
  return surface.run(interactions, fn);
}

/** Runs `fn` outside every call: for work that outlives the call that happened to trigger it (reconnects). */
export function outsideCalls<T>(fn: () => T): T {
  return active.exit(() => surface.exit(fn));
}

/** One tool call in flight on one upstream server. */
export class ActiveCall {
  /** Interactions refused during the call, with why; the outcome reports them. */
  readonly refused: { kind: InteractionKind; reason: string }[] = [];
  private waiting = 0;
  private done = false;
  private readonly waitListeners = new Set<(waiting: boolean) => void>();

  constructor(
    readonly server: string,
    readonly interactions: CallInteractions | undefined = surface.getStore(),
    /** The calling key's id ('' without one): whose call this is. */
    readonly key = '',
    /** The calling key's team (null: none), for its turn at a server with maxCallsInFlight. */
    readonly team: string | null = null,
  ) {}

  get live(): boolean {
    return !this.done;
  }

  /**
   * Runs the upstream request, in this call's async context when `bind` (a wire that relates the
   * server's messages to the request); the call ends when `fn` settles.
   */
  async run<T>(fn: () => Promise<T>, bind = true): Promise<T> {
    try {
      return await (bind ? active.run(this, fn) : fn());
    } finally {
      this.done = true;
    }
  }

  /** While the caller is answering an interaction, the call's own deadline is paused. */
  async waitFor<T>(answer: Promise<T>): Promise<T> {
    if (this.waiting++ === 0) for (const l of this.waitListeners) l(true);
    try {
      return await answer;
    } finally {
      if (--this.waiting === 0) for (const l of this.waitListeners) l(false);
    }
  }

  onWaiting(listener: (waiting: boolean) => void): () => void {
    this.waitListeners.add(listener);
    return () => void this.waitListeners.delete(listener);
  }
}

/**
 * The call an upstream message belongs to: the live call whose context it arrived in, or — for a
 * stdio server, whose wire carries no relation — the only call in flight to that server, unless
 * another call that may still be running there could have sent it (`othersMayRun`, abandoned-calls.ts).
 */
export function callFor(
  server: string,
  inflight: ReadonlySet<ActiveCall>,
  wireRelatesMessages: boolean,
  othersMayRun?: (only: ActiveCall) => boolean,
): ActiveCall | undefined {
  const current = active.getStore();
  if (current?.live && current.server === server) return current;
  if (wireRelatesMessages || inflight.size !== 1) return undefined;
  const [only] = inflight;
  return only?.live && !othersMayRun?.(only) ? only : undefined;
}

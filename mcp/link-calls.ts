// The calls on one MCP server's link: those in flight (what the server's messages can be bound to,
// call-context.ts), those a stdio server may still be running after the gateway stopped waiting
// for them (abandoned-calls.ts), and, with `maxCallsInFlight`, the slots and the calls waiting
// their turn (fair-queue.ts). The connection itself is server-link.ts.
import type { McpServerConfig } from '../src/config-schema.js';
import { EndedCalls } from './abandoned-calls.js';
import type { ActiveCall } from './call-context.js';
import type { TransportKind } from './connect.js';
import { FairQueue } from './fair-queue.js';
import type { RelayTarget } from './upstream-handlers.js';

export class LinkCalls implements RelayTarget {
  /** Tool calls in flight to this server (what its stdio messages can be bound to). */
  readonly inflight = new Set<ActiveCall>();
  /** With `maxCallsInFlight`: the calls sent at once and the ones waiting their turn; else none. */
  readonly queue: FairQueue | undefined;
  /** Stdio calls given up on after sending them, or answered, that may still run there (abandoned-calls.ts). */
  private readonly ended: EndedCalls;

  constructor(
    readonly name: string,
    config: McpServerConfig,
    /** The transport in use (the link's: it may fall back from 'http' to 'sse'). */
    private readonly transport: () => TransportKind,
  ) {
    this.ended = new EndedCalls(config.callTimeoutMs);
    this.queue = config.maxCallsInFlight === undefined ? undefined : new FairQueue(config.maxCallsInFlight);
  }

  /** Whether the transport ties a server's messages to the request they concern (all but stdio). */
  wireRelatesMessages(): boolean {
    return this.transport() !== 'stdio';
  }

  othersMayRun(only: ActiveCall): boolean {
    return this.ended.othersThan(only.key);
  }

  /** A call sent to the server was answered, or given up on: it may still run there (only stdio needs to know). */
  callEnded(call: ActiveCall, answered: boolean): void {
    if (!this.wireRelatesMessages()) this.ended.add(call.key, answered);
  }

  /** Whether a call may be running at the server: in flight, given up on but maybe running on, or holding a slot. */
  busy(): boolean {
    return this.inflight.size > 0 || this.ended.abandoned.size > 0 || (this.queue?.taken ?? 0) > 0;
  }

  /** The server process or connection is gone: nothing it was running runs any more. */
  gone(): void {
    this.ended.clear();
  }
}

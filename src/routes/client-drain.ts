// The client's side of a Flow (upstream/client.ts), for any socket-like writable the gateway writes a
// stream to: Node's HTTP response (node-request.ts NodeSink) and a WebSocket's socket
// (responses-websocket-events.ts). While it is over its high-water mark the upstream is not read;
// this waits for it to take more, and gives the client up when it takes nothing for too long.
import type { EventEmitter } from 'node:events';

/**
 * Runs `go` once, at the writable's 'drain' or 'close'. If neither comes within `stallMs` (the
 * provider's timeoutMs, its limit between chunks), `giveUp` runs: it must end the request as a client
 * leaving does (recorded once, 499), or a reader that never reads would hold the paused upstream call,
 * and its reservation, for good (undici's body timeout does not run while paused). One timer and two
 * listeners, made only when a stream pauses.
 */
export function whenClientDrained(writable: EventEmitter, go: () => void, stallMs: number, giveUp: () => void): void {
  const stalled = setTimeout(giveUp, stallMs);
  const done = () => {
    clearTimeout(stalled);
    writable.off('drain', done);
    writable.off('close', done);
    go();
  };
  writable.on('drain', done);
  writable.on('close', done);
}

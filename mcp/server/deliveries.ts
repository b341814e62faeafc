// Which answers of a 2025 session reached its client, for the ledger: a tool call's requests row
// says 200 only when its answer left the gateway, and 499 (client_closed) when it could not — its
// event stream let go with the answer still queued (bounded-stream.ts), its POST's client gone
// before it, or the session closed first. The tool handler waits here for its answer's fate
// (tool-handlers.ts); the session's transport tells it when it writes or drops the answer.
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { type Fate, tagFrame } from './bounded-stream.js';
import type { RequestId } from './plain-request.js';

export class Deliveries {
  /** Answers not written yet. */
  private readonly waiting = new Map<RequestId, Fate>();
  /** Answers written (queued on a stream) whose fate is not known yet. */
  private readonly handed = new Set<Fate>();
  private closed = false;

  /** `fate` is told once whether the answer to request `id` reached the client's response. */
  expect(id: RequestId, fate: Fate): void {
    if (this.closed) {
      fate(false);
      return;
    }
    this.waiting.get(id)?.(false);
    this.waiting.set(id, fate);
  }

  /**
   * The fate of the answer to `id`, for whoever writes it: told once, by them or, if they never
   * tell it (a stream dropped unread), as false when the session closes, so every row is written.
   */
  take(id: RequestId): Fate | undefined {
    if (this.waiting.size === 0) return undefined;
    const fate = this.waiting.get(id);
    if (!fate) return undefined;
    this.waiting.delete(id);
    this.handed.add(fate);
    return (delivered) => {
      if (this.handed.delete(fate)) fate(delivered);
    };
  }

  /** Tells the fate of the answer to `id`, if it is not written yet. */
  settle(id: RequestId, delivered: boolean): void {
    this.take(id)?.(delivered);
  }

  /** The session is over: answers not delivered yet never will be. */
  close(): void {
    this.closed = true;
    const left = [...this.waiting.values(), ...this.handed];
    this.waiting.clear();
    this.handed.clear();
    for (const fate of left) fate(false);
  }
}

type WriteEvent = (
  controller: ReadableStreamDefaultController<Uint8Array>,
  encoder: { encode(text: string): Uint8Array },
  message: JSONRPCMessage,
  eventId?: string,
) => boolean;

/**
 * The SDK's Streamable HTTP transport writes each message of its event streams with writeSSEEvent
 * (private in its types, SDK 2.4.0). An answer whose fate a tool row waits for is still written by
 * it, through a controller that tags the bytes it enqueues: boundedResponse tells the fate when the client takes the frame or
 * loses it (bounded-stream.ts).
 */
export function tagAnswers(transport: object, deliveries: () => Deliveries | undefined): void {
  const self = transport as { writeSSEEvent: WriteEvent };
  const write = self.writeSSEEvent.bind(transport);
  self.writeSSEEvent = (controller, encoder, message, eventId) => {
    const id = 'method' in message ? undefined : (message as { id?: RequestId }).id;
    const fate = id === undefined ? undefined : deliveries()?.take(id);
    if (!fate) return write(controller, encoder, message, eventId);
    // The SDK still formats the event (and reports a failed enqueue); its one enqueue is tagged on the way.
    const tagging = {
      enqueue: (bytes: Uint8Array) => {
        tagFrame(bytes, fate);
        controller.enqueue(bytes);
      },
    } as ReadableStreamDefaultController<Uint8Array>;
    const written = write(tagging, encoder, message, eventId);
    if (!written) fate(false);
    return written;
  };
}

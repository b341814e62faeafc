// The SSE body of a streamed Responses answer: named events (`event:` and `data:` lines, as OpenAI
// sends them), no [DONE] terminator. It is the chat channel (it starts only at the first frame, so a
// request that fails before it still gets a proper HTTP error status) with Responses' framing.
import { SseChannel } from '../chat/sse-channel.js';
import type { StreamEvent } from '../wire/responses/types.js';

export class ResponsesSse extends SseChannel {
  /** A frame as it is: the native relay's target (with `bytes`), no closure per request. */
  frame(text: string): void {
    this.raw(text);
  }

  event(e: StreamEvent): void {
    this.raw(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  }
}

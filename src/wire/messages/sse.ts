// Anthropic's SSE framing: every frame names its event (`event: <type>`), unlike chat's data-only
// frames, and there is no [DONE] terminator (message_stop ends the stream).
// https://docs.anthropic.com/en/api/messages-streaming
import type { StreamEvent } from './types.js';

/** A frame from an event object. */
export function eventFrame(event: StreamEvent | { type: string; [key: string]: unknown }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A frame from the upstream's own data text (relayed byte for byte). */
export function rawFrame(type: string, data: string): string {
  // A multi-line data field goes back as several data lines (SSE joins them with \n again).
  return `event: ${type}\ndata: ${data.includes('\n') ? data.split('\n').join('\ndata: ') : data}\n\n`;
}

/** A comment line (`: text`), relayed as it came. */
export function commentFrame(text: string): string {
  return `:${text}\n\n`;
}

export const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';

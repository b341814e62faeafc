// The one SSE encoder: every frame the gateway sends to a client is built here.
// https://html.spec.whatwg.org/multipage/server-sent-events.html
import type { GatewayError } from '../errors.js';
import { renderError } from '../errors.js';

export const SSE_DONE = 'data: [DONE]\n\n';

export function sseData(value: unknown): string {
  return sseDataText(JSON.stringify(value));
}

/** A data frame for JSON already serialised (chat's delta chunks: chat/chunk-frame.ts). */
export function sseDataText(json: string): string {
  return `data: ${json}\n\n`;
}

/** Comments are ignored by SSE clients (and by the openai SDK): used for tool-progress notes and keep-alives. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** A stream that fails after it started ends with this frame (OpenAI's own in-stream error shape). */
export function sseError(err: GatewayError): string {
  return sseData(renderError(err));
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

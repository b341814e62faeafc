// A 2025 session's POST of one JSON-RPC request is answered as plain JSON when nothing but the
// answer comes before it, and as SSE as soon as anything else does (progress, log messages, an
// elicitation or sampling request, a keep-alive). Streamable HTTP lets the server pick either per
// POST, and every client accepts both
// (https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#sending-messages-to-the-server).
//
// Why: the SDK transport answers every request with an event stream. For the usual tool call that
// streams nothing, the stream's separate header write, chunked framing and the client's event
// parsing cost 0.3–0.4 ms per call (bench/tool-round.ts, issue 20) against a plain JSON body. The
// SDK's own `enableJsonResponse` is per transport and drops every message sent during the call, so
// progress, logs and elicitation would be lost; here the choice waits for the first event instead.
//
// The SDK writes each message as one chunk (`event: message\ndata: <json>\n\n`) and, after the
// answer of the POST's last request, closes the stream in the same turn. So: one chunk and then
// the end, both already there when read, is the answer alone.

import type { ReadableStreamReadResult } from 'node:stream/web';
import { settleFrame } from './bounded-stream.js';

const NOTHING_YET = Symbol('nothing yet');
const EVENT = 'event: message\ndata: ';
const decoder = new TextDecoder();

type Chunk = ReadableStreamReadResult<Uint8Array>;

/**
 * How the answer learns that its client left: the request's AbortSignal or, when Node serves it,
 * the Node response, whose `close` before anything was written is the client leaving. Reading
 * `request.signal` makes @hono/node-server build an AbortController (an EventTarget) per /mcp
 * call only for this listener; the response's own event costs neither (issue 20).
 */
export type ClientGone = AbortSignal | NodeResponse;

/** What of a Node ServerResponse this needs. */
interface NodeResponse {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** Calls `release` once when the client goes; returns what stops watching. */
export function watch(gone: ClientGone, release: () => void): () => void {
  if (gone instanceof EventTarget) {
    gone.addEventListener('abort', release, { once: true });
    return () => gone.removeEventListener('abort', release);
  }
  gone.once('close', release);
  return () => gone.off('close', release);
}

/** An SSE answer that carried only the answer: its JSON text, as the SDK's stream would have delivered it. */
export interface AloneAnswer {
  status: number;
  /** The session id the SDK's answer carried, if any. */
  sessionId: string | null;
  json: string;
}

/** The headers of an answer that came alone, sent as JSON (with its session id, if any). */
export function aloneHeaders(answer: AloneAnswer): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (answer.sessionId) headers['mcp-session-id'] = answer.sessionId;
  return headers;
}

/** An answer that came alone as a JSON Response: plain headers and a string body, which @hono/node-server writes without a web stream. */
export const aloneResponse = (answer: AloneAnswer): Response =>
  new Response(answer.json, { status: answer.status, headers: aloneHeaders(answer) });

/**
 * `response` (the SDK transport's SSE answer to one request): the answer's JSON text when it
 * carried only the answer (aloneResponse or aloneHeaders send it), else the response to send as it
 * is (an event stream that replays what was read, or the SDK's own non-SSE answer).
 * `clientGone` (ClientGone): a client that leaves before anything was sent releases the SDK's
 * stream at once, as closing an SSE answer would.
 */
export async function readWhenAlone(response: Response, clientGone?: ClientGone): Promise<AloneAnswer | Response> {
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
  const reader = response.body.getReader();
  const release = () => void reader.cancel(clientGone instanceof EventTarget ? clientGone.reason : undefined).catch(() => undefined);
  const unwatch = clientGone ? watch(clientGone, release) : undefined;
  let first: Chunk;
  try {
    first = await reader.read();
  } finally {
    unwatch?.();
  }
  if (first.done) return new Response(null, { status: response.status, headers: response.headers });
  // Read again without waiting: resolved at once only if the stream has already ended (or has more).
  const pending = reader.read();
  const next = await Promise.race([pending, Promise.resolve(NOTHING_YET)]);
  if (next !== NOTHING_YET && next.done) {
    const text = decoder.decode(first.value);
    const json = text.startsWith(EVENT) && text.endsWith('\n\n') ? text.slice(EVENT.length, -2) : '';
    if (json && !json.includes('\n')) {
      settleFrame(first.value, true);
      return { status: response.status, sessionId: response.headers.get('mcp-session-id'), json };
    }
  }
  return new Response(replay(first.value, next === NOTHING_YET ? pending : next, reader), {
    status: response.status,
    headers: response.headers,
  });
}

/** The event stream again: the chunk already read, then the rest of `reader`. */
function replay(
  first: Uint8Array,
  second: Promise<Chunk> | Chunk,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  let next: Promise<Chunk> | Chunk | undefined = second;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
    },
    async pull(controller) {
      const chunk = await (next ?? reader.read());
      next = undefined;
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    // The client went away: the SDK's own stream learns it (and clears the request's mapping).
    cancel: (reason) => reader.cancel(reason),
  });
}

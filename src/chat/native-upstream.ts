// What every pass-through call shares, whatever the wire format (Messages, Responses): one request to
// a provider that speaks the client's format, sent with the provider's own credentials; a non-2xx
// answer becomes the adapter's error with the upstream's body, the credentials cut out; a stream
// is read as raw events (and comment lines) for a relay that forwards them as they came.
import { GatewayError } from '../errors.js';
import { redactValues } from '../secrets/redact.js';
import { networkError, type Flow, type UpstreamStream } from '../upstream/client.js';
import { SseReader } from '../upstream/sse-parser.js';
import { FrameSpans } from '../upstream/frame-spans.js';
import { rawFrame } from '../wire/messages/sse.js';
import type { Cancel } from '../upstream/cancel.js';
import type { LlmCallDeps } from './attempts.js';
import { providerSecrets, withStatus } from './upstream-answer.js';
import { pickKey } from './pick-key.js';
import { missingKeyError, type Target } from './targets.js';

/**
 * What a relay is handed for each stream item, in stream order: an event as its type and raw data
 * text, or a comment line as `type` undefined and its text (an event's type is never undefined:
 * `message` when the frame names none). Two strings, not an object per item: one per upstream event
 * was ~440 B of every streamed Messages request (issue 20).
 */
export type RelayItemHandler = (type: string | undefined, data: string, span: RelaySpan) => unknown;

/**
 * Beside an event, while `onItem` runs: its frame's bytes in the upstream's chunk (`chunk` set) when
 * they are exactly the frame a relay would write for it (upstream/frame-spans.ts).
 */
export type RelaySpan = Pick<FrameSpans, 'chunk' | 'start' | 'end'>;

/** What a pass-through relay (Messages, Responses) writes to: frames it made, and upstream frames as their own bytes. */
export interface RelayTarget {
  frame(text: string): void;
  /** The upstream's bytes `chunk` [start, end): one or more whole frames that pass unchanged. */
  bytes(chunk: Buffer, start: number, end: number): void;
  /**
   * Ends the client's stream (stops pings): called by a relay once the round that ends the answer
   * has written its terminal event, before the upstream's body has ended (issue 20). Later writes go nowhere.
   */
  end?(): void;
  /** The client's back-pressure: the upstream is not read while it is full. */
  readonly flow?: Flow | undefined;
}

/** An upstream event a relay holds back (a round's terminal events), with its frame's bytes when it has them. */
export interface HeldFrame {
  type: string;
  data: string;
  event: Record<string, unknown>;
  chunk: Buffer | undefined;
  start: number;
  end: number;
}

/** Keeps the span's bytes by reference only: the frame is its chunk's, which is read whole already. */
export function heldFrame(type: string, data: string, event: Record<string, unknown>, span: RelaySpan | undefined): HeldFrame {
  return { type, data, event, chunk: span?.chunk, start: span ? span.start : 0, end: span ? span.end : 0 };
}

/**
 * An upstream event that passes unchanged: its frame's bytes when relayStream matched them, else the
 * frame made again from its data (both surfaces frame named events the same way: rawFrame).
 */
export function passAsItCame(out: RelayTarget, type: string, data: string, span: RelaySpan | undefined): void {
  if (span?.chunk) out.bytes(span.chunk, span.start, span.end);
  else out.frame(rawFrame(type, data));
}

export interface NativeRequest {
  format: 'messages' | 'responses';
  path: string;
  method?: 'POST' | 'GET' | 'DELETE' | undefined;
  /** Client headers the format forwards (anthropic-version, anthropic-beta); the adapter adds credentials. */
  headers: Record<string, string>;
  body: string;
}

/** The upstream's refusal as it came (body with credentials cut out), for surfaces that return it unmodified. */
export interface UpstreamRefusal {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
}

/**
 * Sends one pass-through request whose answer is read whole (a JSON answer): its text, collected
 * by the upstream client without a response stream (sendText, as chat's JSON calls). A non-2xx
 * answer is thrown as the adapter's error for it (with the upstream status, for the ledger);
 * `refused` may decorate that error with the refusal itself.
 */
export async function sendNativeText(
  deps: LlmCallDeps,
  target: Target,
  request: NativeRequest,
  signal: Cancel,
  refused?: (err: GatewayError, refusal: UpstreamRefusal) => GatewayError,
): Promise<{ status: number; text: string }> {
  const { req, apiKey } = nativeUpstreamRequest(deps, target, request);
  const answer = await deps.upstream.sendText(req, { signal, timeoutMs: target.provider.timeoutMs });
  if (answer.status < 200 || answer.status >= 300) throw refusedError(target, apiKey, answer.status, answer.text, answer.headers, refused);
  return answer;
}

/**
 * sendNativeText for a streamed answer: how to read its items (relayStream's contract). The upstream
 * client pushes the body's chunks into the SSE reader as undici hands them over (sendStream, as
 * chat's streams: no response Readable). Fails as sendNativeText and relayStream do.
 */
export async function sendNativeStream(
  deps: LlmCallDeps,
  target: Target,
  request: NativeRequest,
  signal: Cancel,
  refused?: (err: GatewayError, refusal: UpstreamRefusal) => GatewayError,
): Promise<(onItem: RelayItemHandler, flow?: Flow) => Promise<void>> {
  const { req, apiKey } = nativeUpstreamRequest(deps, target, request);
  const answer = await deps.upstream.sendStream(req, { signal, timeoutMs: target.provider.timeoutMs });
  if (answer.status < 200 || answer.status >= 300)
    throw refusedError(target, apiKey, answer.status, await answer.text(), answer.headers, refused);
  return (onItem, flow) =>
    relayStream(answer, req.url, signal, onItem, flow).catch((err: unknown) => {
      throw redactThrown(err, providerSecrets(target, apiKey));
    });
}

/**
 * An in-stream error event may quote what the upstream was sent: our credentials are cut out of the
 * failure's text, and of the raw event a codec attached to it to relay as it came (a string under a
 * symbol, messages/native-codec.ts RELAYED), before the client or the ledger sees either. Only on the
 * failure path: the events of a working stream are not searched.
 */
function redactThrown(err: unknown, secrets: readonly (string | undefined)[]): unknown {
  if (!(err instanceof GatewayError)) return err;
  err.message = redactValues(err.message, secrets);
  const attached = err as unknown as Record<symbol, unknown>;
  for (const key of Object.getOwnPropertySymbols(err))
    if (typeof attached[key] === 'string') attached[key] = redactValues(attached[key] as string, secrets);
  return err;
}

function nativeUpstreamRequest(deps: LlmCallDeps, target: Target, request: NativeRequest) {
  if (target.missingKeyVars) throw missingKeyError(target);
  const apiKey = pickKey(target.provider.keys, deps.random);
  const ctx = {
    baseUrl: target.provider.baseUrl,
    apiKey,
    model: target.model,
    defaultMaxTokens: target.provider.defaultMaxTokens,
    headers: target.provider.headers,
  };
  const req = target.adapter.nativeRequest!(
    { format: request.format, path: request.path, body: request.body, headers: request.headers },
    ctx,
  );
  if (request.method && request.method !== 'POST') {
    req.method = request.method;
    delete (req as { body?: unknown }).body;
  }
  return { req, apiKey };
}

/** A non-2xx answer as the adapter's error (with the upstream status); `refused` may decorate it with the refusal itself. */
function refusedError(
  target: Target,
  apiKey: string | undefined,
  status: number,
  text: string,
  headers: Record<string, string | undefined>,
  refused: ((err: GatewayError, refusal: UpstreamRefusal) => GatewayError) | undefined,
): GatewayError {
  // Our credentials cut out (providerSecrets); the rest byte for byte, for clients matching its wording.
  const body = redactValues(text, providerSecrets(target, apiKey));
  const err = withStatus(target.adapter.errorFromResponse(status, body, headers), status);
  return refused ? refused(err, { status, body, headers }) : err;
}

/** A 2xx body that is not what the format promises: worth another attempt, like any bad upstream answer. */
export function malformedUpstream(status: number, what: string): GatewayError {
  return withStatus(
    new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_malformed',
      retryable: true,
      message: `upstream sent a body that is not ${what}`,
    }),
    status,
  );
}

/**
 * Reads the upstream's SSE as raw items, in stream order, comments included: `onItem` runs for each,
 * synchronously, as the upstream client hands over the body's chunks (sendStream), so the frames of one read go out in the
 * same turn. Resolves at the body's end, or at once when `onItem` returns true: the item was the
 * answer's terminal event and the client has the whole answer, so what the upstream does after it
 * is not the call's outcome (issue 20: the ledger records what the client got). The rest of the
 * body is then drained, unseen (UpstreamStream.drain). A broken body is a network error; what
 * `onItem` throws is rethrown as it is (the request is then cancelled: nothing more is read).
 *
 * Why not an async generator: each item was a step of one (two deep before, a parser's and this
 * one's), and the consumer's `for await` over the body's own iterator: promise turns per event and
 * per chunk between the upstream's bytes and the client's (issue 20, pass-through SSE).
 */
export async function relayStream(
  answer: UpstreamStream,
  url: string,
  signal: Cancel,
  onItem: RelayItemHandler,
  flow?: Flow,
): Promise<void> {
  let thrown: unknown;
  let last = false;
  const spans = new FrameSpans();
  const deliver = (type: string | undefined, data: string) => {
    if (last) return;
    try {
      last = onItem(type, data, spans) === true;
    } catch (err) {
      thrown = err;
      throw err;
    }
    if (last) answer.drain();
  };
  const feeder = new SseReader(
    (type, data) => {
      const name = type ?? 'message';
      spans.match(name, data);
      deliver(name, data);
    },
    (comment) => {
      spans.chunk = undefined;
      deliver(undefined, comment);
    },
  );
  try {
    await answer.read((chunk) => {
      feeder.write(spans.begin(chunk, feeder.idle));
      spans.done();
    }, flow);
    if (!last) feeder.end();
  } catch (err) {
    if (err === thrown || err instanceof GatewayError) throw err;
    throw networkError(err, url, signal);
  } finally {
    // Stop reading (and free the connection) when the relay stopped early; nothing after the end.
    // A drained body is read on to its end (its connection then reused), not cancelled.
    if (!last) answer.cancel();
  }
}

// The only place that calls the network for providers. One undici Agent (keep-alive pool) shared
// by all providers; per-call timeouts; aborts when the client goes away; network failures become
// GatewayErrors that say whether another attempt makes sense.
import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import type { UpstreamRequest } from '../../providers/types.js';
import { abortSignalOf, type Cancel } from './cancel.js';
import { StreamAnswer, TextAnswer } from './dispatch-answers.js';
import { Agent, errors, request } from './undici.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  /** Aborted when the client disconnects (or the tool loop's deadline passes). */
  signal: Cancel;
  /** Time to response headers, and the longest silence between body chunks. */
  timeoutMs: number;
}

/** A whole answer, read into one string. */
export interface UpstreamText {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/**
 * The client's side of a relayed stream: while `full` (its socket's buffer is over the high-water
 * mark) the upstream is not read, so a slow reader pins socket and stream buffers, not the answer.
 */
export interface Flow {
  readonly full: boolean;
  /**
   * Runs `go` once, when the client takes more again or is gone. A client that takes nothing for
   * `stallMs` (the provider's timeoutMs, its limit between chunks) is given up as gone: without it a
   * reader that never reads would hold its upstream call open for good (the body timeout does not run
   * while paused).
   */
  whenDrained(go: () => void, stallMs: number): void;
}

/** A streamed answer's head, its body handed over chunk by chunk. */
export interface UpstreamStream {
  status: number;
  headers: Record<string, string | undefined>;
  /**
   * Hands each body chunk to `onData` (those that came before the call first), synchronously as
   * they arrive; resolves at the body's end, rejects with its failure or with what `onData`
   * threw (the request is then aborted). Once. With `flow`, reading stops after a chunk while it
   * is full, until it drained.
   */
  read(onData: (chunk: Buffer) => void, flow?: Flow): Promise<void>;
  /** The rest of the body as text; '' if it fails (an error status's wording). */
  text(): Promise<string>;
  /** Stops reading before the end: aborts the request, which frees the connection. */
  cancel(): void;
  /**
   * From `onData`, once the reader has its answer's terminal event: `read` resolves now; the rest is read
   * and dropped, so a clean end keeps the connection (cancel would not) and a failure rejects nothing.
   */
  drain(): void;
}

export interface UpstreamClient {
  send(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamResponse>;
  /**
   * The whole answer as text, for callers that read every JSON answer to its end (send + readText
   * in one). Rejects like send, or like readText when the body fails after a 2xx head; a body that
   * fails after an error status reads as ''.
   */
  sendText(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamText>;
  /** The answer's head, then its body pushed as it arrives (no response stream). */
  sendStream(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamStream>;
  close(): Promise<void>;
}

/** Thrown (never rendered) when the caller's own signal aborted: the client is gone. */
export class ClientAbortedError extends Error {
  override name = 'ClientAbortedError';
}

export function createDispatcher(): Dispatcher {
  // pipelining 1: LLM responses are long; head-of-line blocking would add latency to unrelated calls.
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 256, pipelining: 1 });
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Maps a thrown network error to a GatewayError (or ClientAbortedError when the caller aborted). */
/** `url` is the upstream request's; only its host is named (parsed here, on the failure path only). */
export function networkError(err: unknown, url: string, signal: { readonly aborted: boolean }): Error {
  if (signal.aborted) return new ClientAbortedError('client aborted the request');
  if (err instanceof GatewayError) return err;
  const host = new URL(url).host;
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? '';
  if (TIMEOUT_CODES.has(code)) {
    return new GatewayError({
      status: 504,
      type: 'upstream_timeout',
      message: `upstream ${host} timed out`,
      code: 'upstream_timeout',
      retryable: true,
      cause: err,
    });
  }
  const known = NETWORK_CODES.has(code);
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    message: `cannot reach upstream ${host}: ${known ? code : 'connection failed'}`,
    code: 'upstream_unreachable',
    retryable: true,
    cause: err,
  });
}

/** Where a request goes, as undici's dispatcher takes it. */
interface Destination {
  origin: string;
  path: string;
}

// How many upstream URLs keep their parsed destination (providers' base URLs with their fixed paths).
const MAX_DESTINATIONS = 1024;

/**
 * The origin and path of an upstream URL, parsed once per URL. undici's top-level request(url)
 * parses the URL string on every call (about 3% of the gateway's busy CPU at 64 connections,
 * bench/README.md "Where the time goes"); its dispatcher takes the origin and path as they are.
 * Exactly what undici derives from the URL; undefined for anything undici itself would refuse
 * (not http(s), not a URL), which then goes through request(url) to fail there as before.
 */
function destinationCache(): (url: string) => Destination | undefined {
  const cache = new Map<string, Destination>();
  return (url) => {
    let d = cache.get(url);
    if (d) return d;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    d = { origin: parsed.origin, path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname };
    if (cache.size >= MAX_DESTINATIONS) cache.clear();
    cache.set(url, d);
    return d;
  };
}

/** What sendText and sendStream hand undici's dispatcher for one call. */
function dispatchOptions(to: Destination, req: UpstreamRequest, timeoutMs: number): Dispatcher.DispatchOptions {
  return {
    origin: to.origin,
    path: to.path,
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    body: req.body ?? null,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  };
}

export function createUpstreamClient(dispatcher: Dispatcher = createDispatcher()): UpstreamClient {
  const destination = destinationCache();
  return {
    async sendText(req, { signal, timeoutMs }) {
      const to = destination(req.url);
      try {
        if (!to) {
          // Not a URL undici's dispatcher takes as it is: request(url) refuses it as before.
          const res = await this.send(req, { signal, timeoutMs });
          const read = res.body.text();
          return {
            status: res.status,
            headers: res.headers,
            text: res.status >= 200 && res.status < 300 ? await read : await read.catch(() => ''),
          };
        }
        if (signal.aborted) throw new errors.RequestAbortedError();
        return await new Promise<UpstreamText>((resolve, reject) => {
          dispatcher.dispatch(dispatchOptions(to, req, timeoutMs), new TextAnswer(signal, resolve, reject));
        });
      } catch (err) {
        throw networkError(err, req.url, signal);
      }
    },
    async sendStream(req, { signal, timeoutMs }) {
      const to = destination(req.url);
      if (!to) return streamOf(await this.send(req, { signal, timeoutMs }), timeoutMs);
      try {
        if (signal.aborted) throw new errors.RequestAbortedError();
        return await new Promise<UpstreamStream>((resolve, reject) => {
          dispatcher.dispatch(dispatchOptions(to, req, timeoutMs), new StreamAnswer(signal, resolve, reject, timeoutMs));
        });
      } catch (err) {
        throw networkError(err, req.url, signal);
      }
    },
    async send(req, opts) {
      const signal = abortSignalOf(opts.signal);
      const timeoutMs = opts.timeoutMs;
      try {
        const to = destination(req.url);
        const body = req.body ?? null;
        const res = to
          ? await dispatcher.request({
              origin: to.origin,
              path: to.path,
              method: req.method,
              headers: req.headers,
              body,
              signal,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            })
          : await request(req.url, {
              method: req.method,
              headers: req.headers,
              body,
              dispatcher,
              signal,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            });
        return { status: res.statusCode, headers: res.headers as Record<string, string | undefined>, body: res.body };
      } catch (err) {
        throw networkError(err, req.url, signal);
      }
    },
    close: () => dispatcher.close(),
  };
}

/** Reads a whole body as text, mapping mid-body network failures like any other. */
export async function readText(res: UpstreamResponse, url: string, signal: { readonly aborted: boolean }): Promise<string> {
  try {
    return await res.body.text();
  } catch (err) {
    throw networkError(err, url, signal);
  }
}

/**
 * An UpstreamStream over a response from send (a URL the dispatcher does not take as it is, an
 * in-process answer); `stallMs`: how long a backed-up client may take nothing (Flow.whenDrained).
 */
export function streamOf(res: UpstreamResponse, stallMs: number): UpstreamStream {
  let reading: (() => void) | undefined; // resolves `read`; once drain took it, chunks and 'error' go nowhere
  return {
    status: res.status,
    headers: res.headers,
    read: (onData, flow) =>
      new Promise<void>((resolve, reject) => {
        const go = () => res.body.resume();
        reading = resolve;
        res.body.on('data', (chunk: Buffer) => {
          if (reading === undefined) return;
          try {
            onData(chunk);
          } catch (err) {
            res.body.destroy();
            reject(err);
            return;
          }
          if (reading === undefined) return;
          if (flow?.full) {
            res.body.pause();
            flow.whenDrained(go, stallMs);
          }
        });
        res.body.on('end', resolve);
        res.body.on('error', reject);
      }),
    text: () => res.body.text().catch(() => ''),
    cancel: () => void (res.body.destroyed || res.body.destroy()),
    drain() {
      const resolve = reading;
      reading = undefined;
      resolve?.();
    },
  };
}

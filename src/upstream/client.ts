// The only place that calls the network for providers. One undici Agent (keep-alive pool) shared
// by all providers; per-call timeouts; aborts when the client goes away; network failures become
// GatewayErrors that say whether another attempt makes sense.
import { Agent, errors, request, util, type Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import type { UpstreamRequest } from '../../providers/types.js';
import { abortSignalOf, type Cancel, offCancel, onCancel } from './cancel.js';

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

/** A streamed answer's head, its body handed over chunk by chunk. */
export interface UpstreamStream {
  status: number;
  headers: Record<string, string | undefined>;
  /**
   * Hands each body chunk to `onData` (those that came before the call first), synchronously as
   * they arrive; resolves at the body's end, rejects with its failure or with what `onData`
   * threw (the request is then aborted). Once.
   */
  read(onData: (chunk: Buffer) => void): Promise<void>;
  /** The rest of the body as text; '' if it fails (an error status's wording). */
  text(): Promise<string>;
  /** Stops reading before the end: aborts the request, which frees the connection. */
  cancel(): void;
}

export interface UpstreamClient {
  send(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamResponse>;
  /**
   * The whole answer as text, for callers that read every JSON answer to its end (send + readText
   * in one). Rejects like send, or like readText when the body fails after a 2xx head; a body that
   * fails after an error status reads as ''. Optional: callers fall back to send + readText.
   */
  sendText?(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamText>;
  /** The answer's head, then its body pushed as it arrives (no response stream). Optional like sendText. */
  sendStream?(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamStream>;
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

/**
 * Collects one answer for sendText as undici's dispatcher hands it over (its handler interface):
 * no response stream, no AsyncResource, no `request()` callback. What `request()` + `body.text()`
 * cost per JSON answer, in CPU and allocation, was most of undici's share of the gateway's main
 * thread at 64 connections (bench/README.md, "Where the time goes"). Behaves as they do: the
 * signal aborts the request (before it is sent, or mid-answer), headers parse the same way
 * (undici's parseHeaders), the text is decoded as body.text() decodes it (UTF-8, a leading BOM
 * dropped), and a failure after an error status's head reads as '' (send + readText's `.catch`).
 */
class TextAnswer implements Dispatcher.DispatchHandler {
  status = 0;
  headers: Record<string, string | undefined> = {};
  private chunks: Buffer[] = [];
  private length = 0;
  private abort: ((err?: Error) => void) | undefined;
  private done = false;
  private readonly onAbort: () => void;

  constructor(
    private readonly signal: Cancel,
    private readonly resolve: (answer: UpstreamText) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.onAbort = () => {
      const reason = (signal instanceof AbortSignal && (signal.reason as Error | undefined)) || new errors.RequestAbortedError();
      if (this.abort) this.abort(reason);
      else this.onError(reason);
    };
    onCancel(signal, this.onAbort);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.done) abort(new errors.RequestAbortedError());
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    this.headers = util.parseHeaders(rawHeaders) as Record<string, string | undefined>;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  onComplete(): void {
    if (this.finish()) this.resolve({ status: this.status, headers: this.headers, text: decodeBody(this.chunks, this.length) });
  }

  onError(err: Error): void {
    if (!this.finish()) return;
    // After an error status's head, the body is only the error's wording: it reads as ''.
    if (this.status !== 0 && (this.status < 200 || this.status >= 300))
      this.resolve({ status: this.status, headers: this.headers, text: '' });
    else this.reject(err);
  }

  /** True the first time: the answer is settled once, and the signal's listener goes. */
  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    offCancel(this.signal, this.onAbort);
    return true;
  }
}

/**
 * One streamed answer as undici's dispatcher hands it over: sendStream resolves at the head, and
 * `read` gets the chunks. What request() + a body Readable did, without them (see TextAnswer):
 * chunks that arrive before `read` wait in an array (a Readable's buffer did the same); nothing
 * pauses the socket (a flowing Readable never did either); the signal, `cancel` and a failing
 * consumer abort the request; failures after the head reject `read`.
 */
class StreamAnswer implements Dispatcher.DispatchHandler, UpstreamStream {
  status = 0;
  headers: Record<string, string | undefined> = {};
  private abort: ((err?: Error) => void) | undefined;
  private pending: Buffer[] | undefined = [];
  private consumer: ((chunk: Buffer) => void) | undefined;
  private readSettle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  /** 'open' until the body ended, failed, or was cancelled. */
  private state: 'head' | 'open' | 'ended' | 'failed' = 'head';
  private failure: unknown;
  private readonly onAbort: () => void;

  constructor(
    private readonly signal: Cancel,
    private readonly resolveHead: (answer: UpstreamStream) => void,
    private readonly rejectHead: (err: unknown) => void,
  ) {
    this.onAbort = () => {
      const reason = (signal instanceof AbortSignal && (signal.reason as Error | undefined)) || new errors.RequestAbortedError();
      if (this.abort) this.abort(reason);
      else this.onError(reason);
    };
    onCancel(signal, this.onAbort);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.state === 'failed') abort(new errors.RequestAbortedError());
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    this.headers = util.parseHeaders(rawHeaders) as Record<string, string | undefined>;
    this.state = 'open';
    this.resolveHead(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.state !== 'open') return true;
    if (!this.consumer) {
      this.pending!.push(chunk);
      return true;
    }
    try {
      this.consumer(chunk);
    } catch (err) {
      this.fail(err);
      this.abort?.(new errors.RequestAbortedError());
    }
    return true;
  }

  onComplete(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    offCancel(this.signal, this.onAbort);
    this.readSettle?.resolve();
  }

  onError(err: Error): void {
    if (this.state === 'head') {
      this.state = 'failed';
      offCancel(this.signal, this.onAbort);
      this.rejectHead(err);
    } else if (this.state === 'open') this.fail(err);
  }

  read(onData: (chunk: Buffer) => void): Promise<void> {
    const pending = this.pending ?? [];
    this.pending = undefined;
    try {
      for (const chunk of pending) onData(chunk);
    } catch (err) {
      if (this.state === 'open') {
        this.fail(err);
        this.abort?.(new errors.RequestAbortedError());
      }
      return Promise.reject(err);
    }
    if (this.state === 'ended') return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(this.failure);
    this.consumer = onData;
    return new Promise((resolve, reject) => {
      this.readSettle = { resolve, reject };
    });
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      await this.read((chunk) => {
        chunks.push(chunk);
        length += chunk.length;
      });
    } catch {
      return '';
    }
    return decodeBody(chunks, length);
  }

  cancel(): void {
    if (this.state !== 'open') return;
    this.fail(new errors.RequestAbortedError());
    this.abort?.(new errors.RequestAbortedError());
  }

  private fail(err: unknown): void {
    this.state = 'failed';
    this.failure = err;
    this.consumer = undefined;
    offCancel(this.signal, this.onAbort);
    this.readSettle?.reject(err);
  }
}

/** As undici's body.text(): UTF-8, a leading byte-order mark dropped. */
function decodeBody(chunks: Buffer[], length: number): string {
  if (chunks.length === 0 || length === 0) return '';
  const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  const start = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
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
          dispatcher.dispatch(
            {
              origin: to.origin,
              path: to.path,
              method: req.method as Dispatcher.HttpMethod,
              headers: req.headers,
              body: req.body ?? null,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            },
            new TextAnswer(signal, resolve, reject),
          );
        });
      } catch (err) {
        throw networkError(err, req.url, signal);
      }
    },
    async sendStream(req, { signal, timeoutMs }) {
      const to = destination(req.url);
      if (!to) return streamOf(await this.send(req, { signal, timeoutMs }));
      try {
        if (signal.aborted) throw new errors.RequestAbortedError();
        return await new Promise<UpstreamStream>((resolve, reject) => {
          dispatcher.dispatch(
            {
              origin: to.origin,
              path: to.path,
              method: req.method as Dispatcher.HttpMethod,
              headers: req.headers,
              body: req.body ?? null,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            },
            new StreamAnswer(signal, resolve, reject),
          );
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

/** An UpstreamStream over a response from send (a URL the dispatcher does not take as it is). */
function streamOf(res: UpstreamResponse): UpstreamStream {
  return {
    status: res.status,
    headers: res.headers,
    read: (onData) =>
      new Promise<void>((resolve, reject) => {
        res.body.on('data', (chunk: Buffer) => {
          try {
            onData(chunk);
          } catch (err) {
            res.body.destroy();
            reject(err);
          }
        });
        res.body.on('end', resolve);
        res.body.on('error', reject);
      }),
    text: () => res.body.text().catch(() => ''),
    cancel: () => void (res.body.destroyed || res.body.destroy()),
  };
}

// The dispatcher handlers behind the upstream client's sendText and sendStream: an answer read
// as undici's dispatcher hands it over (onHeaders / onData / onComplete), with no response
// Readable, AsyncResource or request() callback per call. What request() + a body stream cost per
// answer was most of undici's share of the main thread at 64 connections (bench/README.md,
// "Where the time goes").
import type { Dispatcher } from 'undici';
import { errors, util } from './undici.js';
import { type Cancel, offCancel, onCancel } from './cancel.js';
import type { Flow, UpstreamStream, UpstreamText } from './client.js';

/** Why the request stops when `signal` fires: an AbortSignal's own reason, else undici's abort error. */
function abortReason(signal: Cancel): Error {
  return (signal instanceof AbortSignal && (signal.reason as Error | undefined)) || new errors.RequestAbortedError();
}

/**
 * What both answers share: the caller's signal aborts the request through the abort undici hands
 * over at connect (or, before that, fails the answer), and a final head's status and headers.
 */
abstract class DispatchAnswer {
  status = 0;
  private rawHeaders: Buffer[] | undefined;
  private parsedHeaders: Record<string, string | undefined> | undefined;
  protected abort: ((err?: Error) => void) | undefined;
  protected readonly onAbort: () => void;

  constructor(protected readonly signal: Cancel) {
    this.onAbort = () => {
      const reason = abortReason(signal);
      if (this.abort) this.abort(reason);
      else this.onError(reason);
    };
    onCancel(signal, this.onAbort);
  }

  abstract onError(err: Error): void;

  /** True once the answer is settled (ended, failed or cancelled): a connect after that is aborted. */
  protected abstract get settled(): boolean;

  onConnect(abort: (err?: Error) => void): void {
    if (this.settled) abort(new errors.RequestAbortedError());
    else this.abort = abort;
  }

  /**
   * The final head's headers, parsed as request() parses them (undici's parseHeaders) when first
   * read: only a refusal's error reads them, so a 2xx answer never parses them (issue 20: a header
   * name lookup and a Latin-1 string per header, per upstream answer, on the way to the client).
   * The raw ones are views into the socket's chunk, kept as undici hands them over (as body chunks are).
   */
  get headers(): Record<string, string | undefined> {
    if (this.parsedHeaders === undefined) {
      this.parsedHeaders = this.rawHeaders ? (util.parseHeaders(this.rawHeaders) as Record<string, string | undefined>) : {};
      this.rawHeaders = undefined;
    }
    return this.parsedHeaders;
  }

  /** Takes a final (≥ 200) head's status and headers; false for an informational one. */
  protected takeHead(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return false;
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    this.parsedHeaders = undefined;
    return true;
  }
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
export class TextAnswer extends DispatchAnswer implements Dispatcher.DispatchHandler, UpstreamText {
  /** The body, once complete (the answer is its own UpstreamText: its headers stay unparsed until read). */
  text = '';
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;

  constructor(
    signal: Cancel,
    private readonly resolve: (answer: UpstreamText) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    super(signal);
  }

  protected get settled(): boolean {
    return this.done;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.takeHead(statusCode, rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  onComplete(): void {
    if (!this.finish()) return;
    this.text = decodeBody(this.chunks, this.length);
    this.chunks = [];
    this.resolve(this);
  }

  onError(err: Error): void {
    if (!this.finish()) return;
    // After an error status's head, the body is only the error's wording: it reads as ''.
    if (this.status !== 0 && (this.status < 200 || this.status >= 300)) this.resolve(this);
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
 * chunks that arrive before `read` wait in an array (a Readable's buffer did the same); the
 * reader's flow pauses the socket while the client is backed up (onData returns false: undici stops
 * parsing and reading it, and its body timeout does not run while paused; `resume` goes on); the
 * signal, `cancel` and a failing consumer abort the request; failures after the head reject `read`.
 */
export class StreamAnswer extends DispatchAnswer implements Dispatcher.DispatchHandler, UpstreamStream {
  private pending: Buffer[] | undefined = [];
  private consumer: ((chunk: Buffer) => void) | undefined;
  private flow: Flow | undefined;
  private resume: (() => void) | undefined;
  /** undici's resume, for the flow's drain (made on the first pause only). */
  private go: (() => void) | undefined;
  private readSettle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  /** 'open' until the body ended, failed, or was cancelled. */
  private state: 'head' | 'open' | 'ended' | 'failed' = 'head';
  private failure: unknown;
  /** The reader took what it needed (drain): `read` has resolved, the rest goes nowhere. */
  private drained = false;

  constructor(
    signal: Cancel,
    private readonly resolveHead: (answer: UpstreamStream) => void,
    private readonly rejectHead: (err: unknown) => void,
    /** The provider's timeoutMs: how long a backed-up client may take nothing (Flow.whenDrained). */
    private readonly stallMs: number,
  ) {
    super(signal);
  }

  protected get settled(): boolean {
    return this.state === 'failed';
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (!this.takeHead(statusCode, rawHeaders)) return true;
    this.resume = resume;
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
      return true;
    }
    // One boolean per chunk while the client keeps up; when it does not, no more is read until it drained.
    const flow = this.flow;
    if (flow === undefined || !flow.full) return true;
    flow.whenDrained((this.go ??= () => this.resume!()), this.stallMs);
    return false;
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

  read(onData: (chunk: Buffer) => void, flow?: Flow): Promise<void> {
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
    if (this.drained || this.state === 'ended') return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(this.failure);
    this.consumer = onData;
    this.flow = flow;
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

  drain(): void {
    if (this.drained) return;
    this.drained = true;
    // The body is read on (not aborted: a clean end puts the connection back in undici's pool),
    // unpaused, into nothing; its end or failure settles nothing more (readSettle is gone).
    this.consumer = ignoreChunk;
    this.flow = undefined;
    const settle = this.readSettle;
    this.readSettle = undefined;
    settle?.resolve();
  }

  private fail(err: unknown): void {
    this.state = 'failed';
    this.failure = err;
    this.consumer = undefined;
    offCancel(this.signal, this.onAbort);
    this.readSettle?.reject(err);
  }
}

/** What a drained answer's remaining chunks go to. */
function ignoreChunk(): void {}

/** As undici's body.text(): UTF-8, a leading byte-order mark dropped. */
export function decodeBody(chunks: Buffer[], length: number): string {
  if (chunks.length === 0 || length === 0) return '';
  const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  const start = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
}

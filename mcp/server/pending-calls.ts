// Tool calls of /mcp clients that are waiting for their client to answer a question the upstream
// server asked (elicitation, sampling). The upstream call keeps running in the gateway; the /mcp
// request that started it ends with an input_required result naming the questions and a signed
// requestState, and the client's retry carries the answers back here (multi round-trip requests,
// https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr). For 2025 sessions
// the SDK's legacy shim plays the same rounds as elicitation/create and sampling/createMessage
// requests on the session, so one code path serves both revisions.
//
// Bounded: a call waits at most `inputTimeoutMs` for each round's answers (then the upstream call
// is cancelled), and a key has at most `maxPerKey` calls parked at once (more are refused).
import { randomUUID } from 'node:crypto';
import type { CreateMessageResult, ElicitResult, InputRequest } from '@modelcontextprotocol/server';
import { InteractionRefused } from '../call-context.js';

type Answer = ElicitResult | CreateMessageResult;

interface Question {
  key: string;
  request: InputRequest;
  resolve(answer: Answer): void;
  reject(err: Error): void;
}

export type Round<R> = { done: R } | { ask: Record<string, InputRequest> };

export interface PendingCallsOptions {
  inputTimeoutMs: number;
  maxPerKey: number;
}

export class PendingCall<R, C = unknown> {
  readonly id = randomUUID();
  /** Aborts the upstream call: the client cancelled, or stopped answering. */
  readonly controller = new AbortController();
  private readonly questions = new Map<string, Question>();
  private seq = 0;
  private result: R | undefined;
  /** What the work threw, if it did: the round that ends the call throws it to its client. */
  private error: unknown;
  private finished = false;
  private wake: (() => void) | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;
  /** What serves the round in progress (the client request answering it), if one is. */
  current: C | undefined;

  constructor(
    readonly keyId: string | null,
    private readonly registry: PendingCalls,
  ) {}

  /** Starts the work; `run` gets this call's abort signal. */
  start(run: (signal: AbortSignal) => Promise<R>): this {
    void run(this.controller.signal).then(
      (result) => this.settle(result),
      // run is a governed tool call, which throws only when the gateway fails inside it (a
      // governance store away, a bug): the client's round gets the error.
      (err: unknown) => this.settle(undefined, err ?? new Error('the call failed')),
    );
    return this;
  }

  /**
   * A question from the upstream server, answered when the client's next round brings it. If the
   * server withdraws it (`signal`: it cancelled its request), it is dropped, answered or not.
   */
  ask(request: InputRequest, signal?: AbortSignal): Promise<Answer> {
    if (this.finished) return Promise.reject(new InteractionRefused('the call has ended'));
    if (!this.registry.park(this)) {
      return Promise.reject(new InteractionRefused('too many tool calls of this virtual key are waiting for input'));
    }
    return new Promise<Answer>((resolve, reject) => {
      const key = `${request.method === 'elicitation/create' ? 'elicit' : 'sample'}-${++this.seq}`;
      this.questions.set(key, { key, request, resolve, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (this.questions.delete(key)) reject(new InteractionRefused('the server withdrew the request'));
        },
        { once: true },
      );
      this.wake?.();
    });
  }

  /** Hands the client's answers (a retry's inputResponses) to the questions they answer. */
  deliver(responses: Record<string, unknown> | undefined): void {
    for (const [key, response] of Object.entries(responses ?? {})) {
      const q = this.questions.get(key);
      if (!q || typeof response !== 'object' || response === null) continue;
      this.questions.delete(key);
      // The upstream server validates the answer against what it asked, as with any client's.
      q.resolve(response as Answer);
    }
  }

  /**
   * One round for the client: waits until the call finishes or has questions to put to it. Unasked
   * and unanswered questions go out (again) together. Aborting `signal` (the client cancelled
   * this request) cancels the upstream call.
   */
  async round(signal: AbortSignal, current: C): Promise<Round<R>> {
    clearTimeout(this.idle);
    this.current = current;
    const cancel = () => this.cancel('the client cancelled the call');
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        if (this.finished) {
          this.registry.forget(this);
          if (this.error !== undefined) throw this.error;
          return { done: this.result as R };
        }
        // New questions, and ones the previous round asked that the retry left unanswered.
        const open = [...this.questions.values()];
        if (open.length > 0) {
          this.idle = setTimeout(() => this.cancel('the client did not answer in time'), this.registry.inputTimeoutMs);
          this.idle.unref?.();
          return { ask: Object.fromEntries(open.map((q) => [q.key, q.request])) };
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.current = undefined;
      signal.removeEventListener('abort', cancel);
    }
  }

  private cancel(why: string): void {
    clearTimeout(this.idle);
    for (const q of this.questions.values()) q.reject(new InteractionRefused(why));
    this.questions.clear();
    this.controller.abort(new Error(why));
  }

  private settle(result: R | undefined, err?: unknown): void {
    this.finished = true;
    this.result = result;
    this.error = err;
    if (err !== undefined) this.registry.onCallFailed?.(err as Error, this.keyId);
    clearTimeout(this.idle);
    for (const q of this.questions.values()) q.reject(new InteractionRefused('the call has ended'));
    this.questions.clear();
    this.wake?.();
    this.registry.forget(this);
  }
}

export class PendingCalls {
  private readonly parked = new Map<string, PendingCall<unknown, unknown>>();
  private readonly perKey = new Map<string, number>();
  /** A call's work threw: the gateway failed inside a governed tool call (its client's round gets the error too). */
  onCallFailed?: (err: Error, keyId: string | null) => void;

  constructor(private readonly opts: PendingCallsOptions) {}

  get inputTimeoutMs(): number {
    return this.opts.inputTimeoutMs;
  }

  get size(): number {
    return this.parked.size;
  }

  create<R, C>(keyId: string | null): PendingCall<R, C> {
    return new PendingCall<R, C>(keyId, this);
  }

  /** The parked call `id` of `keyId`; another key's id finds nothing. */
  get<R, C>(id: string, keyId: string | null): PendingCall<R, C> | undefined {
    const call = this.parked.get(id);
    return call && call.keyId === keyId ? (call as PendingCall<R, C>) : undefined;
  }

  /** Registers a call that is about to wait for its client; false when its key holds its share. */
  park(call: PendingCall<unknown, unknown>): boolean {
    if (this.parked.has(call.id)) return true;
    const k = call.keyId ?? '';
    const n = this.perKey.get(k) ?? 0;
    if (n >= this.opts.maxPerKey) return false;
    this.perKey.set(k, n + 1);
    this.parked.set(call.id, call);
    return true;
  }

  forget(call: PendingCall<unknown, unknown>): void {
    if (!this.parked.delete(call.id)) return;
    const k = call.keyId ?? '';
    const n = (this.perKey.get(k) ?? 1) - 1;
    if (n > 0) this.perKey.set(k, n);
    else this.perKey.delete(k);
  }
}

// The Streamable HTTP transport of a 2025 /mcp session, with a shorter way for the usual POST: one
// JSON-RPC request (a tool call) whose answer comes with nothing before it. The SDK transport
// answers every request with an event stream; json-answer.ts then read it back and sent plain JSON
// when it held only the answer. Measured on that path (issue 20, bench/README.md), the SDK's
// zod-based type guards cost more than the rest of it: each message it handles is tested with
// safeParse against several schemas (the request against the initialize request's, which fails
// and builds a zod error; the answer, with its whole result, twice against the result response's),
// besides the event stream, its encoder and the reader that took the answer out again.
//
// Here such a request goes to the server directly and its answer, when it is the first message of
// the call, is kept as JSON text. Anything sent before it (progress, a log message, an elicitation
// or sampling request, the keep-alive) turns the call into the SDK's own event stream at that
// moment, set up as the SDK sets it up (the same stream mapping, keep-alive and cancel), so the
// rest of the call is the SDK's. Every other POST (batches, notifications, initialize, anything
// the SDK would refuse or treat specially) goes through the SDK's handleRequest unchanged.
//
// Such a request is also handed to the server's request entry (Protocol._onrequest) rather than to
// `onmessage`: the SDK's onmessage tells a message's kind by zod safeParse against the result and
// the error response schemas (both failing, each building a zod error) and then the request
// schema, ~40 µs of a /mcp call in a profile under load (issue 20); a plain request (below) is a
// request by construction, and _onrequest is what onmessage calls for one, with the same arguments.
import { randomUUID } from 'node:crypto';
import { type AuthInfo, type JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { type Deliveries, tagAnswers } from './deliveries.js';
import { type AloneAnswer, type ClientGone, readWhenAlone, watch } from './json-answer.js';
import { plainRequest, type RequestId } from './plain-request.js';
import { idInUse, requestIds, reusedId } from './request-ids.js';
import { rpcErrorBody } from './rpc-errors.js';

/** The SDK transport's own state this class sets up as its handlePostRequest would (private in its types). */
interface Internals {
  _closed: boolean;
  _initialized: boolean;
  _hasHandledRequest: boolean;
  _enableJsonResponse: boolean;
  _enableDnsRebindingProtection: boolean;
  _eventStore?: unknown;
  _scopeChallengeResolver?: unknown;
  _keepAliveMs: number;
  _streamMapping: Map<
    string,
    { controller?: ReadableStreamDefaultController<Uint8Array>; encoder?: { encode(text: string): Uint8Array }; cleanup(): void }
  >;
  _requestToStreamMapping: Map<RequestId, string>;
  validateSession(req: Request): Response | undefined;
  validateProtocolVersion(req: Request): Response | undefined;
  startKeepAlive(
    controller: ReadableStreamDefaultController<Uint8Array>,
    encoder: { encode(text: string): Uint8Array },
  ): ReturnType<typeof setInterval> | undefined;
}

/** A request being served the short way, until its answer (or its first other message). */
interface QuickCall {
  /** performance.now() when it was dispatched: its first keep-alive is due _keepAliveMs later. */
  startedAt: number;
  settle(answer: AloneAnswer | Response): void;
  /** Stops watching the client. */
  stop(): void;
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/** What of the SDK's Protocol (private in its types, SDK 2.4.0) the short way calls. */
interface RequestEntry {
  _transport?: unknown;
  _onrequest?: (request: JSONRPCMessage, extra: { authInfo: AuthInfo; request: Request }) => void;
}

export class SessionTransport extends WebStandardStreamableHTTPServerTransport {
  /** Told whether each answer reached the client (the ledger's 200 or 499; set by endpoint-sessions.ts). */
  deliveries: Deliveries | undefined;
  /** Calls served the short way, in the order they started. */
  private readonly quick = new Map<RequestId, QuickCall>();
  /** The one keep-alive timer of the waiting quick calls (armKeepAlive). */
  private keepAlive: ReturnType<typeof setTimeout> | undefined;
  /** Requests whose client left before their answer: the answer goes nowhere (as the SDK's would). */
  private readonly gone = new Set<RequestId>();
  /** Ids of requests handed to the SDK's handleRequest and not at the server yet (it awaits first). */
  private readonly dispatching = new Set<RequestId>();
  /** The connected server's request entry (connectTo); without it, plain requests go to onmessage. */
  private dispatch: RequestEntry['_onrequest'];

  constructor(options: ConstructorParameters<typeof WebStandardStreamableHTTPServerTransport>[0]) {
    super(options);
    tagAnswers(this, () => this.deliveries);
  }

  /**
   * `server.connect(this)`, and then plain requests go straight to that server's request entry,
   * when it has the one onmessage would call for them (else they keep going through onmessage).
   */
  async connectTo(server: { connect(transport: SessionTransport): Promise<void> }): Promise<void> {
    await server.connect(this);
    const entry = server as unknown as RequestEntry;
    if (entry._transport === this && typeof entry._onrequest === 'function') this.dispatch = entry._onrequest.bind(server);
  }

  /** Whether plain requests skip onmessage's classification (connectTo found the request entry). */
  get dispatchesDirectly(): boolean {
    return this.dispatch !== undefined;
  }

  /**
   * One POST of this session (its body parsed): the answer as JSON text when a single request's
   * answer came alone, else the Response to send. `clientGone`: the client leaving before the
   * answer lets go of the call's answer, as closing its event stream would.
   */
  async serve(request: Request, body: unknown, authInfo: AuthInfo, clientGone: ClientGone): Promise<AloneAnswer | Response> {
    const reused = reusedId(body, (id) => this.inUse(id));
    if (reused !== undefined)
      return { status: 400, sessionId: this.sessionId ?? null, json: JSON.stringify(rpcErrorBody(-32600, idInUse(reused))) };
    if (!this.takesQuickly(request, body)) {
      const ids = requestIds(body);
      for (const id of ids) this.dispatching.add(id);
      let answer: Response;
      try {
        answer = await this.handleRequest(request, { authInfo, parsedBody: body });
      } finally {
        for (const id of ids) this.dispatching.delete(id);
      }
      return isOne(body) ? readWhenAlone(answer, clientGone) : answer;
    }
    const id = body.id;
    return new Promise<AloneAnswer | Response>((resolve) => {
      const unwatch = watch(clientGone, () => {
        if (!this.quick.has(id)) return;
        this.quick.get(id)!.stop();
        this.quick.delete(id);
        this.gone.add(id);
        resolve(new Response(null, { status: 200, headers: this.sseHeaders() }));
      });
      this.quick.set(id, { startedAt: performance.now(), settle: resolve, stop: unwatch });
      this.armKeepAlive();
      (this as unknown as { _hasHandledRequest: boolean })._hasHandledRequest = true;
      if (this.dispatch) this.dispatch(body as JSONRPCMessage, { authInfo, request });
      else this.onmessage?.(body as JSONRPCMessage, { authInfo, request });
    });
  }

  /** Whether a message about request `id` can reach its client: its POST, or the event stream it became, is open. */
  reaches(id: RequestId): boolean {
    if (this.gone.has(id)) return false;
    const self = this as unknown as Internals;
    const stream = self._requestToStreamMapping.get(id);
    return this.quick.has(id) || (stream !== undefined && self._streamMapping.has(stream));
  }

  /**
   * Whether a request of this session with this id has not been answered yet: served the short way
   * (its client there or gone), on its way into the SDK, or on an SDK stream (until its answer).
   */
  private inUse(id: RequestId): boolean {
    if (this.quick.has(id) || this.gone.has(id) || this.dispatching.has(id)) return true;
    return (this as unknown as Internals)._requestToStreamMapping.has(id);
  }

  override async send(message: JSONRPCMessage, options?: { relatedRequestId?: RequestId }): Promise<void> {
    const answerTo = 'method' in message ? undefined : (message as { id?: RequestId }).id;
    const related = answerTo ?? options?.relatedRequestId;
    if (related !== undefined && this.quick.size + this.gone.size > 0) {
      if (this.gone.has(related)) {
        // As the SDK does for a request whose stream was cancelled: messages about it go nowhere;
        // its answer is reported as undeliverable and forgotten.
        if (answerTo === undefined) return;
        this.gone.delete(related);
        this.deliveries?.settle(answerTo, false);
        this.onerror?.(
          new Error(
            `Response for request ID ${String(answerTo)} is undeliverable: per-request stream is disconnected and no eventStore is configured`,
          ),
        );
        return;
      }
      const call = this.quick.get(related);
      if (call && answerTo !== undefined) {
        call.stop();
        this.quick.delete(related);
        call.settle({ status: 200, sessionId: this.sessionId ?? null, json: JSON.stringify(message) });
        this.deliveries?.settle(answerTo, true);
        return;
      }
      // Something before the answer: from here on the call is the SDK's event stream.
      if (call) this.toStream(related);
    }
    try {
      return await super.send(message, options as never);
    } finally {
      // Not written to a stream (writeSSEEvent took its fate): the SDK had none left for it.
      if (answerTo !== undefined) this.deliveries?.settle(answerTo, false);
    }
  }

  /**
   * The SDK arms a keep-alive per POST, whose first comment would be the stream's first event: a
   * quick call still waiting _keepAliveMs after it started becomes the event stream with that
   * comment. One timer serves every waiting call (armed for the oldest, `quick` being in start
   * order), instead of a setTimeout, unref and clearTimeout per call that almost never fired
   * (issue 20: three timers per /mcp call, this one the SDK's and ours both).
   */
  private armKeepAlive(ms = (this as unknown as Internals)._keepAliveMs): void {
    if (this.keepAlive !== undefined) return;
    this.keepAlive = setTimeout(() => this.keepAliveDue(), ms);
    this.keepAlive.unref();
  }

  private keepAliveDue(): void {
    this.keepAlive = undefined;
    const ms = (this as unknown as Internals)._keepAliveMs;
    const now = performance.now();
    for (const [id, call] of this.quick) {
      const left = call.startedAt + ms - now;
      if (left > 0) {
        this.armKeepAlive(left);
        return;
      }
      this.toStream(id, ': keepalive\n\n');
    }
  }

  override async close(): Promise<void> {
    clearTimeout(this.keepAlive);
    this.keepAlive = undefined;
    // As the SDK's streams end when the session does: an empty event stream for each waiting call.
    for (const call of this.quick.values()) {
      call.stop();
      call.settle(new Response(null, { status: 200, headers: this.sseHeaders() }));
    }
    this.quick.clear();
    this.gone.clear();
    return super.close();
  }

  private sseHeaders(): Record<string, string> {
    return this.sessionId === undefined ? { ...SSE_HEADERS } : { ...SSE_HEADERS, 'mcp-session-id': this.sessionId };
  }

  /** Whether `body` (with `request`'s headers) is a request the SDK would serve without a word more. */
  private takesQuickly(request: Request, body: unknown): body is { jsonrpc: '2.0'; id: RequestId; method: string } {
    const self = this as unknown as Internals;
    if (self._closed || !self._initialized || self._enableJsonResponse || self._enableDnsRebindingProtection) return false;
    if (self._eventStore !== undefined || self._scopeChallengeResolver !== undefined) return false;
    if (!plainRequest(body) || this.quick.has(body.id) || this.gone.has(body.id) || self._requestToStreamMapping.has(body.id)) return false;
    const accept = request.headers.get('accept');
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
    if (request.headers.get('content-type') !== 'application/json') return false;
    return self.validateSession(request) === undefined && self.validateProtocolVersion(request) === undefined;
  }

  /** Turns a quick call into the SDK's event stream for its request, as handlePostRequest makes it. */
  private toStream(id: RequestId, comment?: string): void {
    const call = this.quick.get(id);
    if (!call) return;
    call.stop();
    this.quick.delete(id);
    const self = this as unknown as Internals;
    const streamId = randomUUID();
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let keepAlive: ReturnType<typeof setInterval> | undefined;
    const readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
      cancel: () => {
        if (keepAlive !== undefined) clearInterval(keepAlive);
        if (self._streamMapping.get(streamId)?.controller === controller) self._streamMapping.delete(streamId);
      },
    });
    self._streamMapping.set(streamId, {
      controller,
      encoder,
      cleanup: () => {
        if (keepAlive !== undefined) clearInterval(keepAlive);
        self._streamMapping.delete(streamId);
        try {
          controller.close();
        } catch {
          // already closed or cancelled
        }
      },
    });
    self._requestToStreamMapping.set(id, streamId);
    keepAlive = self.startKeepAlive(controller, encoder);
    if (comment) controller.enqueue(encoder.encode(comment));
    call.settle(new Response(readable, { status: 200, headers: this.sseHeaders() }));
  }
}

/** A single JSON-RPC request (not a batch, notification or response): its POST may be answered as JSON. */
const isOne = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && 'method' in body && 'id' in body;

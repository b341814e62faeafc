// One Responses WebSocket connection: many responses, one at a time. The client sends
// `{"type":"response.create", …Responses request…}`; every event of that response comes back as one
// text message (responses-websocket-events.ts), and a request that fails before its stream starts
// gets `{"type":"error","status":N,"error":{…}}`. Each response goes through handleResponses like a
// POST: the same admission, budgets, loop and ledger.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { newRequestId } from '../ledger/request-id.js';
import { GatewayError, invalidRequest, toGatewayError } from '../errors.js';
import type { HeaderSource } from '../governance/keys.js';
import { handleResponses } from '../responses/handler.js';
import { parseJsonBody } from '../chat/handler.js';
import { checkDuplicateKeys, RESPONSES_GOVERNED } from '../wire/duplicate-keys.js';
import type { ResponsesWebSocketOptions } from './responses-websocket.js';
import { errorEvent, EventSink } from './responses-websocket-events.js';
import { recordRefused, refuseWhileDraining } from './record-refused.js';
import { whenClientDrained } from './client-drain.js';
import { MODEL_WITHIN_CHARS, topLevelString } from '../wire/top-level-string.js';
import { expand, expandedBytes, inputItems, type Previous, warmUp } from './responses-websocket-continuation.js';

/** Messages a connection may have waiting behind the response in progress. */
const MAX_WAITING = 8;
/**
 * An acknowledgement (`response.processed`, Codex's: ~80 bytes) is at most this long: a longer one is
 * refused as a malformed message is (400, counted, its row), so parsing acknowledgements is never free
 * work; and a message refused before it is read is parsed only if it may be one.
 */
const MAX_ACKNOWLEDGEMENT_BYTES = 1024;

interface Refusal {
  error: GatewayError;
  atAdmission: true;
  model: string | undefined;
}

/** `inFlight(±1)`: counts responses in progress (a shutdown waits for them). */
export function serveConnection(
  ws: WebSocket,
  socket: Duplex,
  headers: HeaderSource,
  opts: ResponsesWebSocketOptions,
  inFlight: (delta: 1 | -1) => void,
): void {
  let previous: Previous | undefined;
  let queue = Promise.resolve();
  const closed = new AbortController();
  // One listener per connection, not one per response: a long Codex session sends hundreds.
  const gone = new Promise<void>((resolve) => closed.signal.addEventListener('abort', () => resolve(), { once: true }));
  ws.on('close', () => closed.abort());
  ws.on('error', () => closed.abort());
  // An idle connection is let go (it holds one of its key's maxConnectionsPerKey, and ws never
  // times a socket out): idle means no response in progress or waiting and no message received.
  let idle: NodeJS.Timeout | undefined;
  const idleFrom = () => {
    clearTimeout(idle);
    if (waiting > 0 || closed.signal.aborted) return;
    idle = setTimeout(() => {
      ws.close(1000, `idle for ${opts.idleTimeoutMs} ms`);
      closed.abort();
    }, opts.idleTimeoutMs);
    idle.unref(); // an idle connection does not keep the process alive
  };
  closed.signal.addEventListener('abort', () => clearTimeout(idle), { once: true });
  // Responses run one at a time; messages sent ahead wait, a few of them, holding at most one
  // message's worth of bytes (maxPayloadBytes) together. A client that sends more than that is
  // flooding: by count alone, 8 messages of up to maxPayloadBytes each could wait on every connection.
  let waiting = 0;
  let waitingBytes = 0;
  idleFrom();
  ws.on('message', (data, isBinary) => {
    clearTimeout(idle);
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
    const tooMany = waiting + 1 > MAX_WAITING;
    if (tooMany || waitingBytes + size > opts.maxPayloadBytes) {
      const message = tooMany
        ? `more than ${MAX_WAITING} messages waiting on this connection`
        : `the messages waiting on this connection would hold more than ${opts.maxPayloadBytes} bytes`;
      return flooding(message, 'too many messages waiting');
    }
    waiting++;
    waitingBytes += size;
    // Kept as bytes: decoded only once the key is admitted (one()).
    const bytes = isBinary ? undefined : Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    queue = queue.then(async () => {
      // Taken once the client has read what was sent before: an answer the connection sends itself
      // (an error event, a warm-up's) would otherwise be buffered whatever the client left unread.
      if (socket.writableNeedDrain && !closed.signal.aborted) await drained();
      // Taken from the queue: the response it starts no longer waits.
      waitingBytes -= size;
      if (!closed.signal.aborted) await one(bytes);
      waiting--;
      idleFrom();
    });
  });

  // A client that floods the connection gets a 429 event and is let go (1008).
  const flooding = (message: string, reason: string) => {
    sendError(new GatewayError({ status: 429, type: 'rate_limited', message }));
    ws.close(1008, reason);
    closed.abort();
  };
  // Acknowledgements are not answered, recorded or counted against the key's rate (a client sends
  // one per response it got), but each costs a parse and a key check (with Redis counters, a round
  // trip): past the response.create messages taken on this connection by more than MAX_WAITING,
  // they are a flood, bounded here rather than left to go on for as long as the connection lasts.
  let asked = 0;
  let acknowledgements = 0;
  const acknowledged = () => {
    if (++acknowledgements > asked + MAX_WAITING)
      flooding(
        `more than ${MAX_WAITING} acknowledgements (response.processed) beyond the responses asked on this connection`,
        'too many acknowledgements',
      );
  };

  const send = (value: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  };
  const sendError = (err: GatewayError) => send(errorEvent(err));
  // A client that reads nothing for idleTimeoutMs while messages wait is let go, as an idle one is.
  const drained = () =>
    new Promise<void>((resolve) =>
      whenClientDrained(socket, resolve, opts.idleTimeoutMs, () => {
        giveUp(opts.idleTimeoutMs);
        resolve();
      }),
    );
  // A client that took nothing for the provider's timeoutMs is let go, as on HTTP: the response in
  // progress ends as one whose client left (upstream call aborted, recorded once, 499) and those
  // waiting behind it never run. The close frame goes out after what was already sent; ws destroys
  // the socket if the client never answers it.
  const giveUp = (stallMs: number) => {
    ws.close(1008, `the client took nothing for ${stallMs} ms`);
    closed.abort();
  };

  async function one(data: Buffer | undefined): Promise<void> {
    const startedAt = Date.now();
    // Whether the handler took the message (it records the request, refused or not).
    let handled = false;
    // A refusal by the key's admission itself, before the message was read; the model it names.
    let refused: Refusal | undefined;
    try {
      const early = await refusalBeforeReading(data);
      if (early === 'acknowledgement') return acknowledged();
      if (early) {
        refused = early;
        throw early.error;
      }
      const text = data?.toString();
      const message = parseMessage(text);
      if (message.type === 'response.processed') {
        // The client's acknowledgement: nothing to answer, unless it is too large to be one.
        if (data!.byteLength > MAX_ACKNOWLEDGEMENT_BYTES)
          throw invalidRequest(`an acknowledgement (response.processed) is at most ${MAX_ACKNOWLEDGEMENT_BYTES} bytes`, 'type');
        return acknowledged();
      }
      if (message.type !== 'response.create') throw invalidRequest(`unsupported WebSocket message type '${String(message.type)}'`, 'type');
      asked++;
      // Draining: the connection stays for the response in progress, new ones go elsewhere (with
      // their row, as a POST's 503 has: the key named, not admitted).
      if (opts.draining()) throw refuseWhileDraining(opts.deps, 'POST', '/v1/responses', newRequestId(), headers);
      const { type: _type, generate, ...body } = message;
      // Refused past maxBodyBytes before anything is kept or sent; the connection keeps what it held.
      const bytes = expandedBytes(body, Buffer.byteLength(text!), previous, opts.maxPayloadBytes);
      const expanded = expand(body, previous);
      if (generate === false) {
        // No model is called, but it is a response.create all the same (parsed, kept): it counts
        // against the key's request rate as one over HTTP would, and a blocked key gets no more.
        await opts.deps.gate.admit(headers);
        previous = warmUp(send, expanded, bytes);
        return;
      }
      inFlight(1);
      try {
        handled = true;
        previous = await respond(expanded);
      } finally {
        inFlight(-1);
      }
    } catch (err) {
      const error = toGatewayError(err);
      if (error.status >= 500 && error.type === 'server_error') opts.logger.error({ err }, 'responses websocket: unhandled error');
      sendError(error);
      // Refused here, before the handler: its row as the same request refused over HTTP gets one
      // (key admitted and counted, as handlers admit before parsing). Not the drain's 503 (its row is written above).
      if (!handled && error.status < 500) {
        await recordRefused(opts.deps, '/v1/responses', newRequestId(), headers, error, Date.now() - startedAt, refused).catch(
          (e: unknown) => opts.logger.error({ err: e }, 'responses websocket: recording a refused message failed'),
        );
      }
    }
  }

  /**
   * A key over its rate limit, disabled, expired or removed since the upgrade is refused before its message
   * is decoded or parsed, as a POST is refused before its body is parsed: before, a key at its limit
   * could make the gateway parse up to maxBodyBytes of JSON per message for nothing (4 MiB of small
   * items: ~50 ms of CPU for JSON.parse alone). The check adds nothing to the window: a message
   * still counts where it did (the handler, a warm-up's admission, a refusal's row), and an
   * acknowledgement never. An acknowledgement is told apart by parsing a message only when it is
   * small enough to be one, and is still not answered. Not while draining (the 503 comes after the
   * message's type, as before); a failure of the check itself (5xx, the rate-limit store) leaves the
   * message to the checks after it, which record it.
   */
  async function refusalBeforeReading(bytes: Buffer | undefined): Promise<Refusal | 'acknowledgement' | undefined> {
    if (opts.draining()) return undefined;
    try {
      await opts.deps.gate.admit(headers, 0);
      return undefined;
    } catch (err) {
      const error = toGatewayError(err);
      if (error.status >= 500) return undefined;
      if (bytes && bytes.byteLength <= MAX_ACKNOWLEDGEMENT_BYTES && isAcknowledgement(bytes.toString())) return 'acknowledgement';
      // The row names the model as a POST refused at admission does (record.ts), read from the message's start.
      const model = error.requester && bytes ? topLevelString(bytes.toString('utf8', 0, MODEL_WITHIN_CHARS), 'model') : undefined;
      return { error, atAdmission: true, model };
    }
  }

  /** One response, streamed as messages; what a continuation on this connection starts from. */
  async function respond(expanded: Record<string, unknown>): Promise<Previous | undefined> {
    const wait = opts.ledgerRoom?.();
    if (wait) await wait;
    const sink = new EventSink(send, socket, giveUp);
    const bodyText = JSON.stringify({ ...expanded, stream: true });
    const out = await handleResponses(opts.deps, {
      requestId: newRequestId(),
      headers,
      bodyText,
      signal: closed.signal,
      sseSink: () => sink,
    });
    if (out.kind !== 'sent') throw new GatewayError({ status: 500, type: 'server_error', message: 'the response was not streamed' });
    // The handler returns once the stream is under way; the next message waits for its end.
    await Promise.race([sink.ended, gone]);
    const completed = sink.completed;
    if (!completed) return undefined;
    // Counted as sent (the request's other fields too, once): what a continuation of it adds to.
    const bytes = Buffer.byteLength(bodyText) + Buffer.byteLength(JSON.stringify(completed.output));
    return { id: completed.id, items: [...inputItems(expanded.input), ...completed.output], bytes };
  }
}

function isAcknowledgement(text: string): boolean {
  try {
    return parseMessage(text).type === 'response.processed';
  } catch {
    return false;
  }
}

/** A message is parsed as a POST body is (the same depth limit and errors), and must be an object. */
function parseMessage(text: string | undefined): Record<string, unknown> {
  if (text === undefined) throw invalidRequest('WebSocket messages must be text frames holding JSON');
  const value = parseJsonBody(text);
  // As on POST (400 duplicate_key): the handler gets this message re-serialized, one value per key,
  // but a client's request should not mean one thing over HTTP and another over WebSocket.
  checkDuplicateKeys(text, RESPONSES_GOVERNED);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest('WebSocket message must be a JSON object');
  return value as Record<string, unknown>;
}

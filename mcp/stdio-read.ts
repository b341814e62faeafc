// How the gateway's stdio MCP clients read a server's messages: as the SDK's ReadBuffer does (one
// JSON-RPC message per line, lines that are not JSON skipped), except that a plain result response
// is not parsed again against the SDK's message schema. Why: the SDK (2.4.0) parses every line
// with JSONRPCMessageSchema, a zod union that fails on the request and notification schemas
// (building their errors) before the result response's matches, and the client then checks the
// same message again (isJSONRPCResultResponse) and validates its result against the method's
// result schema; the union is the one of the three that tells nothing more for a result (issue 20:
// a tool call's answer arrives this way on every /mcp and tool-loop call).
//
// A plain result response is `{"jsonrpc":"2.0","id":<string|integer>,"result":{...}}` with
// nothing else and no `_meta` in the result: the schema would parse it into an equal value (the
// envelope is strict, the result a loose object whose only declared key is `_meta`). Anything else
// is parsed by the SDK's schema as before.
//
// Once connected, such a response can also skip the SDK's message dispatch (handPlainResults): the
// client's Protocol tells a message's kind by zod safeParse against the result response schema
// (isJSONRPCResultResponse, which copies the whole envelope and the result's keys) and then, in
// _onresponse, checks it again the same way; both pass on a plain result response by construction.
// Under load that pair was the largest single item of the gateway's own code left in a /mcp call's
// profile (2.9% of the main thread's busy time, issue 20). The client's takeResult does what
// _onresponse does with it; anything it does not take goes to onmessage as before.
import { parseJSONRPCMessage } from '@modelcontextprotocol/client';
import { isPlainObject } from './plain-object.js';

/** The SDK ReadBuffer's state this replaces the reading of (private in its types, SDK 2.4.0). */
interface ReadBufferState {
  _buffer?: Buffer | undefined;
  readMessage(): unknown;
}

export function plainResultResponse(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value) || value.jsonrpc !== '2.0') return false;
  const id = value.id;
  if (!(typeof id === 'string' || Number.isSafeInteger(id))) return false;
  let keys = 0;
  for (const _ in value) keys++;
  const result = value.result;
  return keys === 3 && isPlainObject(result) && !Object.hasOwn(result, '_meta') && !Object.hasOwn(result, '__proto__');
}

/** The next message of `buffer`, as the SDK's readMessage gives it; null when no full line is there. */
function readMessage(this: ReadBufferState): unknown {
  while (this._buffer) {
    const index = this._buffer.indexOf('\n');
    if (index === -1) return null;
    const line = this._buffer.toString('utf8', 0, index).replace(/\r$/, '');
    this._buffer = this._buffer.subarray(index + 1);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (error instanceof SyntaxError) continue;
      throw error;
    }
    return plainResultResponse(value) ? value : parseJSONRPCMessage(value);
  }
  return null;
}

/** What of the SDK's StdioClientTransport (2.4.0) reading its child's output involves. */
interface StdioReading {
  _readBuffer?: { readMessage(): unknown };
  onmessage?: (message: unknown) => void;
  onerror?: (error: unknown) => void;
  processReadBuffer?: () => void;
}

/**
 * After the client connected over `transport` (read by readPlainResults): each plain result
 * response is first offered to `take` (the client's waiting request, GatewayClient.takeResult),
 * and goes to `onmessage` (the SDK's dispatch) only if not taken; every other message, and every
 * error, as the SDK's processReadBuffer handles them. False (nothing changed) for another SDK.
 */
export function handPlainResults(transport: object, take: (response: object) => boolean): boolean {
  const t = transport as StdioReading;
  if (typeof t.processReadBuffer !== 'function' || t._readBuffer?.readMessage !== readMessage) return false;
  t.processReadBuffer = function (this: StdioReading & { _readBuffer: { readMessage(): unknown } }) {
    for (;;)
      try {
        const message = this._readBuffer.readMessage();
        if (message === null) break;
        if (plainResultResponse(message) && take(message)) continue;
        this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error);
      }
  };
  return true;
}

/**
 * Makes a StdioClientTransport read plain result responses without the message schema. A transport
 * without the SDK 2.4.0 ReadBuffer (another SDK version) is left as it is.
 */
export function readPlainResults(transport: object): boolean {
  const buffer = (transport as { _readBuffer?: ReadBufferState })._readBuffer;
  if (!buffer || typeof buffer.readMessage !== 'function' || !('_buffer' in buffer)) return false;
  buffer.readMessage = readMessage;
  return true;
}

// The SDK's MCP client, with tools/call results validated by a schema built once per connection.
//
// Why: for a request without an explicit result schema, the SDK (2.4) first asks its codec whether
// the method has a result schema by validating `undefined` against it, and formats the resulting
// zod error into a string it then throws away; then it validates the real result. That probe cost
// ~50 µs of every tool call in the gateway's profile (issue 20). Passing the same validation as an
// explicit schema skips the probe; the SDK's explicit-schema path still gates the method by era
// and decodes the result the same way, and callTool keeps its own output-schema checks.
//
// takeResult: a stdio server's plain result responses reach their request without the SDK's
// message-kind checks (stdio-read.ts, handPlainResults, says why).
//
// No SDK timer for a request sent with `timeout: NO_SDK_TIMEOUT` (tool calls, upstream-call.ts):
// there the gateway's Deadline decides, and the SDK's own timer, armed for 24.8 days and cleared
// on the answer, only cost a setTimeout and a clearTimeout per call (1.6% of the main thread's
// busy time in a /mcp call's profile, issue 20). The SDK's bookkeeping of the request is kept.
import { Client, type StandardSchemaV1 } from '@modelcontextprotocol/client';
import { NO_SDK_TIMEOUT } from './deadline.js';

type RequestArgs = Parameters<Client['request']>;

/** What of the SDK's Protocol (private in its types, SDK 2.4.0) its _onresponse touches for a result. */
interface ResponseDispatch {
  _responseHandlers?: Map<number, (response: unknown) => void>;
  _progressHandlers?: Map<number, unknown>;
  _cleanupTimeout?: (id: number) => void;
}

/** The SDK Protocol's per-request timer (private in its types, SDK 2.4.0). */
interface RequestTimers {
  _timeoutInfo?: Map<number, object>;
  _setupTimeout?: (id: number, timeout: number, maxTotal: number | undefined, onTimeout: () => void, resetOnProgress?: boolean) => void;
}

export class GatewayClient extends Client {
  private callToolResult: StandardSchemaV1 | undefined;

  constructor(...args: ConstructorParameters<typeof Client>) {
    super(...args);
    noTimerWithoutTimeout(this);
  }

  override request(request: RequestArgs[0], schemaOrOptions?: unknown, maybeOptions?: unknown): Promise<never> {
    const call = super.request as (...args: unknown[]) => Promise<never>;
    if (request.method === 'tools/call' && !isStandardSchema(schemaOrOptions)) {
      return call.call(this, request, (this.callToolResult ??= this.resultSchema('tools/call')), schemaOrOptions);
    }
    return call.call(this, request, schemaOrOptions, maybeOptions);
  }

  /**
   * A plain result response (stdio-read.ts) handed to the request waiting for it, as the SDK's
   * _onresponse does for a result: the request's handler, timeout and progress handler released,
   * then the handler called with the message as it came. False, and nothing done, for what it
   * leaves to the SDK: a string id (Client._onresponse's listen streams), an id nothing waits for
   * (the SDK reports it), or an SDK without these internals.
   */
  takeResult(response: object): boolean {
    const id = (response as { id?: unknown }).id;
    if (typeof id !== 'number') return false;
    const self = this as unknown as ResponseDispatch;
    const handler = self._responseHandlers?.get(id);
    if (handler === undefined || typeof self._cleanupTimeout !== 'function' || !self._progressHandlers) return false;
    self._responseHandlers!.delete(id);
    self._cleanupTimeout(id);
    self._progressHandlers.delete(id);
    handler(response);
    return true;
  }

  /** The codec's own result validation for `method`, as the SDK builds it per request (codecResultValidator). */
  private resultSchema(method: 'tools/call'): StandardSchemaV1 {
    return {
      '~standard': {
        version: 1,
        vendor: 'mcp-wire-codec',
        validate: (value: unknown) => {
          const outcome = this._wireCodec().validateResult(method, value);
          if (outcome.ok) return { value: outcome.value };
          return { issues: [{ message: outcome.reason === 'invalid' ? outcome.message : `not-in-era: ${method}` }] };
        },
      },
    };
  }
}

/** As the SDK tells a schema from request options. */
function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && '~standard' in value;
}

/**
 * Requests with `timeout: NO_SDK_TIMEOUT` (and no total timeout or reset on progress) get the
 * SDK's record of their timeout without a timer: what _setupTimeout stores, `timeoutId` undefined
 * (clearTimeout ignores it). Everything else is the SDK's own _setupTimeout.
 */
function noTimerWithoutTimeout(client: object): void {
  const self = client as RequestTimers;
  const sdk = self._setupTimeout;
  if (typeof sdk !== 'function' || !(self._timeoutInfo instanceof Map)) return;
  self._setupTimeout = function (this: RequestTimers, id, timeout, maxTotal, onTimeout, resetOnProgress = false) {
    if (timeout !== NO_SDK_TIMEOUT || maxTotal !== undefined || resetOnProgress)
      return sdk.call(this, id, timeout, maxTotal, onTimeout, resetOnProgress);
    this._timeoutInfo!.set(id, {
      timeoutId: undefined,
      startTime: Date.now(),
      timeout,
      maxTotalTimeout: maxTotal,
      resetTimeoutOnProgress: resetOnProgress,
      onTimeout,
    });
  };
}

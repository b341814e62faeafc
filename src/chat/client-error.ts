// What a request's failure means for the client and the ledger.
import { GatewayError, toGatewayError } from '../errors.js';
import { ClientAbortedError } from '../upstream/client.js';
import type { LoopState } from './run-state.js';

/**
 * An abort is either the loop deadline (504) or a client that went away: it gets nothing, and the
 * ledger records 499 (nginx's "client closed request").
 */
export function asClientError(err: unknown, state: LoopState | undefined): GatewayError {
  if (err instanceof ClientAbortedError) {
    if (state && !state.clientSignal.aborted) {
      return new GatewayError({
        status: 504,
        type: 'upstream_timeout',
        message: `the request exceeded its loop timeout of ${state.access.loop.timeoutMs} ms`,
        code: 'loop_timeout',
      });
    }
    return clientClosed();
  }
  return toGatewayError(err);
}

/** A client that went away: it gets nothing; the ledger and the metrics record 499 (nginx's "client closed request"). */
export function clientClosed(): GatewayError {
  return new GatewayError({ status: 499, type: 'invalid_request_error', message: 'client closed the request', code: 'client_closed' });
}

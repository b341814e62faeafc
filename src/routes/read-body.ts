// The whole request body of a hot route (node-hot-routes.ts), read from Node's request as it
// arrives: the hot routes skip Hono's reader (bench/README, issue 20).
import type { IncomingMessage } from 'node:http';
import type { GatewayError } from '../errors.js';
import { clientClosed } from '../chat/client-error.js';

const decoder = new TextDecoder();

/**
 * A client that left before its body arrived (or was cut by server.requestTimeoutMs, which the
 * route then records as the 408 it was answered: server-answered.ts): its doing, not ours, so 499 client_closed, not a 500 "unhandled error" in the error log and the 5xx
 * metrics (any client, no key needed, could fill both). Made once: the answer goes to a closed
 * socket, only its status is seen (metrics).
 */
const CLIENT_CLOSED = clientClosed();

/**
 * The whole body as text. `limit` applies to bodies of undeclared length (chunked): counted as
 * they arrive, `tooLarge` once past it. A client that leaves mid-body rejects with CLIENT_CLOSED.
 */
export function readBody(incoming: IncomingMessage, limit: number | undefined, tooLarge: GatewayError): Promise<string> {
  // Gone before the read began (it may start after a wait for ledger room): a destroyed request
  // emits nothing more, so waiting for its events would never settle.
  if (incoming.destroyed) return Promise.reject(CLIENT_CLOSED);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (limit !== undefined && size > limit) {
        cleanup();
        reject(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    };
    // Node's request emits 'error' (ECONNRESET "aborted") or only 'close' when the client leaves.
    const onError = () => {
      cleanup();
      reject(CLIENT_CLOSED);
    };
    const onClose = () => {
      if (incoming.readableEnded) return onEnd();
      cleanup();
      reject(CLIENT_CLOSED);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

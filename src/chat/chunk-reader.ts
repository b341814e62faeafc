// A streamed chat answer, read: each upstream SSE event through the adapter's translator into chat
// chunks, handed to the round as the upstream's bytes arrive.
import { GatewayError } from '../errors.js';
import type { ChatCompletionChunk } from '../openai/types.js';
import { networkError, type Flow, type UpstreamStream } from '../upstream/client.js';
import { sseFeeder } from '../upstream/sse-parser.js';
import type { Cancel } from '../upstream/cancel.js';
import type { Target } from './targets.js';
import { providerSecrets, unreadable } from './upstream-answer.js';
import { redactValues } from '../secrets/redact.js';

/**
 * Reads a streamed answer: `onChunk` runs for each chunk, synchronously, as the upstream's bytes
 * arrive. Resolves at the answer's terminal event (StreamTranslator.ended), or at the body's end
 * when there is none. Rejects with the upstream's failure (a GatewayError), or with what `onChunk` threw.
 */
export type ChunkReader = (onChunk: (chunk: ChatCompletionChunk) => void, flow?: Flow) => Promise<void>;

/** Reads a streamed answer: each SSE event through the adapter's translator to `onChunk`, as it arrives. */
export function streamReader(
  target: Target,
  answer: UpstreamStream,
  ctx: Parameters<Target['adapter']['streamTranslator']>[0],
  url: string,
  signal: Cancel,
): ChunkReader {
  return async (onChunk, flow) => {
    const translator = target.adapter.streamTranslator(ctx);
    // A translator that throws anything but a GatewayError was handed data it could not read: the
    // upstream's fault (502 upstream_malformed), not a network failure and not a gateway crash.
    const translate = (step: () => ChatCompletionChunk[]): ChatCompletionChunk[] => {
      try {
        return step();
      } catch (err) {
        // An in-stream error event may quote what the upstream was sent: our credentials are cut
        // out of its text (as from an error status's body, errorAnswer) before the client or the
        // ledger sees it. Only on this failure path: the events of a working stream are not searched.
        if (err instanceof GatewayError) err.message = redactValues(err.message, providerSecrets(target, ctx.apiKey));
        throw unreadable(err, 'upstream sent a malformed stream event');
      }
    };
    // What the consumer throws is its own failure and goes back to it as is, never as a network error.
    let consumerError: { err: unknown } | undefined;
    const deliver = (chunks: ChatCompletionChunk[]) => {
      for (const chunk of chunks) {
        try {
          onChunk(chunk);
        } catch (err) {
          consumerError = { err };
          throw err;
        }
      }
    };
    // Set at the answer's terminal event: the answer is whole and the read resolves there, so the
    // round ends (its rows say 200 with the usage seen, its tools run, the client gets its last frames)
    // without waiting for the body's end; what the upstream does after it (a reset, a stall past its
    // timeout) is not the call's outcome (as relayStream for pass-through streams). The rest of the
    // body is read unseen (UpstreamStream.drain): a clean end keeps the connection.
    let last = false;
    const feeder = sseFeeder((event) => {
      if (last) return;
      deliver(translate(() => translator.push(event)));
      if (!translator.ended()) return;
      last = true;
      answer.drain();
    });
    try {
      await answer.read((chunk) => feeder.write(chunk), flow);
      if (!last) feeder.end();
      deliver(translate(() => translator.end()));
    } catch (err) {
      if (err instanceof GatewayError || (consumerError && err === consumerError.err)) throw err;
      throw networkError(err, url, signal);
    } finally {
      // Stop reading (and free the socket) when the consumer stops early; nothing after the end.
      // A drained body is read on to its end (its connection then reused), not cancelled.
      if (!last) answer.cancel();
    }
  };
}

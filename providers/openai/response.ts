// OpenAI-compatible responses are already canonical; we check the shape the gateway relies on so a
// broken upstream becomes a clear 502 instead of a crash further down.
import { GatewayError } from '../../src/errors.js';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/openai/types.js';
import type { SseEvent, StreamTranslator } from '../types.js';
import { upstreamMessage } from '../shared/upstream-error.js';
import { validChunk, validCompletion } from './shape.js';

function malformed(what: string): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    message: `upstream sent a malformed ${what}`,
    code: 'upstream_malformed',
  });
}

export function parseChatResponse(body: unknown): ChatCompletion {
  const value = body as Partial<ChatCompletion> | null;
  if (!value || typeof value !== 'object' || Array.isArray(value) || !validCompletion(value as Record<string, unknown>))
    throw malformed('chat completion');
  return value as ChatCompletion;
}

export function createStreamTranslator(): StreamTranslator {
  let done = false;
  let finished = false;
  return {
    push(event: SseEvent): ChatCompletionChunk[] {
      if (event.data === '[DONE]') {
        done = true;
        return [];
      }
      let chunk: ChatCompletionChunk & { error?: unknown };
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw malformed('stream event');
      }
      if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk)) throw malformed('stream chunk');
      if (chunk.error !== undefined) {
        // OpenAI reports in-stream failures as a data frame holding {"error": {...}}.
        throw new GatewayError({
          status: 502,
          type: 'upstream_error',
          message: `upstream stream error: ${upstreamMessage(event.data)}`,
          code: 'upstream_stream_error',
        });
      }
      if (!validChunk(chunk)) throw malformed('stream chunk');
      if (chunk.choices.some((c) => c.finish_reason)) finished = true;
      return [chunk];
    },
    // [DONE], not the finish_reason: the usage chunk (stream_options.include_usage) comes after that.
    ended: () => done,
    end(): ChatCompletionChunk[] {
      // Some compatible servers omit [DONE]; a stream that reached a finish_reason is complete.
      if (!done && !finished) {
        throw new GatewayError({
          status: 502,
          type: 'upstream_error',
          message: 'upstream stream ended before the response was complete',
          code: 'upstream_stream_truncated',
        });
      }
      return [];
    },
  };
}

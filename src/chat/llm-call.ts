// One LLM call of a round: the primary model, its retries, then the request's fallbacks, in order
// (attempts.ts). Every attempt goes through `hooks` (budget reservation, ledger row, metrics) so
// nothing here knows about money or storage.
import type { ChatCompletion, ChatRequest } from '../openai/types.js';
import type { Cancel } from '../upstream/cancel.js';
import { missingKeyError, type Target } from './targets.js';
import { pickKey } from './pick-key.js';
import { type AttemptHandle, type AttemptHooks, type LlmCallDeps, withAttempts } from './attempts.js';
import { type AdapterContext, errorAnswer, parseJson, readCompletion } from './upstream-answer.js';
import { type ChunkReader, streamReader } from './chunk-reader.js';

export interface LlmCallInput {
  targets: readonly Target[];
  request: ChatRequest;
  stream: boolean;
  /** The client's disconnect (or the loop's deadline). */
  signal: Cancel;
  hooks: AttemptHooks;
}

export type LlmOutcome =
  /** `text`: the upstream's own bytes, when they already are the OpenAI completion (pass-through). */
  | { kind: 'json'; target: Target; completion: ChatCompletion; text: string | undefined }
  /**
   * The caller must `read` the chunks (once: each is handed to `onChunk` as it arrives; resolves at
   * the stream's end) and then call `handle.finish` with the usage it saw.
   */
  | { kind: 'stream'; target: Target; read: ChunkReader; handle: AttemptHandle };

export async function callLlm(deps: LlmCallDeps, input: LlmCallInput): Promise<LlmOutcome> {
  return withAttempts(deps, input.targets, input.signal, input.hooks, (target, handle) => attemptOnce(deps, input, target, handle));
}

async function attemptOnce(deps: LlmCallDeps, input: LlmCallInput, target: Target, handle: AttemptHandle): Promise<LlmOutcome> {
  if (target.missingKeyVars) throw missingKeyError(target);
  const ctx = {
    baseUrl: target.provider.baseUrl,
    apiKey: pickKey(target.provider.keys, deps.random),
    model: target.model,
    defaultMaxTokens: target.provider.defaultMaxTokens,
    headers: target.provider.headers,
  };
  const request = handle.prepare ? handle.prepare(input.request) : input.request;
  // Copied only when `stream` must change: the round's request already carries it (round.ts), and
  // no adapter writes to the request it is given.
  const req = target.adapter.chatRequest(
    request.stream === input.stream ? request : Object.assign({}, request, { stream: input.stream }),
    ctx,
  );
  const opts = { signal: input.signal, timeoutMs: target.provider.timeoutMs };
  if (!input.stream) {
    // A JSON answer is read whole: collected by the client, without a response stream.
    const answer = await deps.upstream.sendText(req, opts);
    if (answer.status < 200 || answer.status >= 300) throw errorAnswer(target, ctx.apiKey, answer.status, answer.text, answer.headers);
    return jsonOutcome(target, ctx, handle, answer.status, answer.text);
  }
  // The answer's chunks go straight into the SSE reader, without a response stream.
  const answer = await deps.upstream.sendStream(req, opts);
  if (answer.status < 200 || answer.status >= 300)
    throw errorAnswer(target, ctx.apiKey, answer.status, await answer.text(), answer.headers);
  return { kind: 'stream', target, handle, read: streamReader(target, answer, ctx, req.url, input.signal) };
}

function jsonOutcome(target: Target, ctx: AdapterContext, handle: AttemptHandle, status: number, text: string): LlmOutcome {
  const completion = readCompletion(target, parseJson(text, status), ctx);
  handle.finish({ status, errorType: null, usage: completion.usage, mayHaveCost: true });
  return { kind: 'json', target, completion, text: target.adapter.canonicalResponses ? text : undefined };
}

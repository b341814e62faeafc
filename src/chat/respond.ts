// Builds what the client receives at the end of a request, for JSON and for SSE.
import type { ChatCompletion, ChatCompletionChunk, ToolCallDelta } from '../openai/types.js';
import type { LoopResult } from './loop.js';
import type { LoopState, RunState } from './run-state.js';
import type { AssistantTurn } from './accumulate.js';

/** Extra, SDK-ignored field describing the gateway's work; omitted for plain pass-through. */
export function tollgateInfo(state: LoopState): Record<string, unknown> | undefined {
  if (state.rounds <= 1 && state.toolCalls.length === 0 && !state.stopNote) return undefined;
  return {
    request_id: state.requestId,
    rounds: state.rounds,
    tool_calls: state.toolCalls,
    ...(state.stopNote ? { stopped: state.stopNote } : {}),
    cost_usd: state.costUnknown && state.costUsd === 0 ? null : Number(state.costUsd.toFixed(8)),
  };
}

export interface FinalCompletion {
  body: ChatCompletion;
  /** `body` already serialised: the upstream's own bytes, when the gateway added nothing. */
  text: string | undefined;
}

export function finalCompletion(state: RunState, result: LoopResult<AssistantTurn>): FinalCompletion {
  const { turn } = result;
  const info = tollgateInfo(state);
  // Nothing added by the gateway: the upstream's answer goes back untouched (extra fields included).
  if (turn.completion && !info && result.clientToolCalls.length === turn.toolCalls.length)
    return { body: turn.completion, text: turn.completionText };
  const body: ChatCompletion = {
    id: turn.id,
    object: 'chat.completion',
    created: turn.created,
    model: turn.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.content,
          ...(result.clientToolCalls.length ? { tool_calls: result.clientToolCalls } : {}),
          refusal: turn.refusal ?? null,
          // The final round's spoken answer (recorded as the key's by the handler before it goes out).
          ...(turn.audio != null ? { audio: turn.audio } : {}),
        },
        finish_reason: result.finishReason,
        logprobs: turn.logprobs ?? null,
      },
    ],
    ...(turn.systemFingerprint != null ? { system_fingerprint: turn.systemFingerprint } : {}),
    ...(turn.serviceTier != null ? { service_tier: turn.serviceTier } : {}),
    ...(state.usage ? { usage: state.usage } : {}),
    ...(info ? { tollgate: info } : {}),
  };
  return { body, text: undefined };
}

export interface ChunkStamp {
  id: string;
  created: number;
  model: string;
  /** The upstream's, once seen: every chunk carries them, as the upstream's own did. */
  system_fingerprint?: string | null;
  service_tier?: unknown;
}

export function chunk(
  stamp: ChunkStamp,
  choices: ChatCompletionChunk['choices'],
  usage?: ChatCompletionChunk['usage'],
): ChatCompletionChunk {
  return {
    id: stamp.id,
    object: 'chat.completion.chunk',
    created: stamp.created,
    model: stamp.model,
    ...(stamp.system_fingerprint != null ? { system_fingerprint: stamp.system_fingerprint } : {}),
    ...(stamp.service_tier != null ? { service_tier: stamp.service_tier } : {}),
    choices,
    ...(usage !== undefined ? { usage } : {}),
  };
}

/** The closing chunks: held-back client tool calls, the finish reason, then usage when asked. */
export function finalChunks(
  stamp: ChunkStamp,
  state: RunState,
  result: LoopResult<AssistantTurn>,
  toolCallsSent: boolean,
): ChatCompletionChunk[] {
  const out: ChatCompletionChunk[] = [];
  if (result.clientToolCalls.length && !toolCallsSent) {
    const deltas: ToolCallDelta[] = result.clientToolCalls.map((c, index) => ({
      index,
      id: c.id,
      type: 'function',
      function: { name: c.function.name, arguments: c.function.arguments },
    }));
    out.push(chunk(stamp, [{ index: 0, delta: { tool_calls: deltas }, finish_reason: null }]));
  }
  const info = tollgateInfo(state);
  const last = chunk(stamp, [{ index: 0, delta: {}, finish_reason: result.finishReason }]);
  if (info) Object.assign(last, { tollgate: info });
  out.push(last);
  if (state.includeUsage) out.push(chunk(stamp, [], state.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }));
  return out;
}

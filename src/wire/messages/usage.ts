// Anthropic usage + stop_reason → OpenAI usage + finish_reason.
// Spec: https://docs.anthropic.com/en/api/messages (usage, stop_reason) and
// https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
import type { FinishReason, Usage } from '../../openai/types.js';
/** Anthropic usage as it arrives (any field may be missing or null in stream events). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** cache_creation_input_tokens by lifetime: 1-hour writes are billed at twice the input rate. */
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  /** Uses of server tools (web_search_requests, web_fetch_requests): wire/messages/server-tools.ts. */
  server_tool_use?: Record<string, unknown> | null;
  /**
   * Each sampling step of the request (server-side compaction,
   * https://platform.claude.com/docs/en/build-with-claude/compaction): the top-level counts are the
   * message steps'; a `compaction` step is billed beside them and counted only here.
   */
  iterations?: readonly unknown[] | null;
}

interface Iteration {
  type?: unknown;
  input_tokens?: unknown;
  output_tokens?: unknown;
  cache_read_input_tokens?: unknown;
  cache_creation_input_tokens?: unknown;
}

const count = (v: unknown): number => (typeof v === 'number' && v > 0 ? v : 0);

/**
 * Anthropic's input_tokens excludes cached tokens; OpenAI's prompt_tokens includes them (with the
 * cached share in prompt_tokens_details). So prompt = input + cache reads + cache writes, which is
 * what the ledger prices (cache reads and writes are billed differently, hence the details).
 */
export function mapUsage(usage: AnthropicUsage | undefined): Usage {
  let input = usage?.input_tokens ?? 0;
  let cacheRead = usage?.cache_read_input_tokens ?? 0;
  let cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  let output = usage?.output_tokens ?? 0;
  const iterations = usage?.iterations;
  if (Array.isArray(iterations))
    for (const step of iterations as Iteration[]) {
      if (step?.type !== 'compaction') continue;
      input += count(step.input_tokens);
      cacheRead += count(step.cache_read_input_tokens);
      cacheWrite += count(step.cache_creation_input_tokens);
      output += count(step.output_tokens);
    }
  const prompt = input + cacheRead + cacheWrite;
  const written1h = usage?.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: output,
    total_tokens: prompt + output,
    prompt_tokens_details: written1h
      ? { cached_tokens: cacheRead, cache_creation_tokens: cacheWrite, cache_creation_1h_tokens: written1h }
      : { cached_tokens: cacheRead, cache_creation_tokens: cacheWrite },
  };
}

/** https://docs.anthropic.com/en/api/handling-stop-reasons */
export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    // end_turn, stop_sequence, pause_turn (a server tool paused the turn: the answer so far is final
    // for this request) and any reason added later end the message normally.
    default:
      return 'stop';
  }
}

// Usage the way a real upstream reports it: the mock counts the prompt it received with a real
// byte-level BPE tokenizer (cl100k_base, the encoding of gpt-4/gpt-3.5; denser than o200k for CJK,
// so the harder test of the gateway's bound), and generates as many output tokens as the answer
// wants, never more than the request's cap, as a real model does.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { MockReply } from './types.js';

/** OpenAI's documented chat overhead: 3 tokens a message, 3 to prime the reply. */
const PER_MESSAGE = 3;
const PRIMING = 3;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((part: any) => {
      if (part?.type === 'text') return part.text ?? '';
      if (part?.type === 'tool_result') return textOf(part.content);
      if (part?.type === 'tool_use') return JSON.stringify(part.input ?? {});
      return JSON.stringify(part);
    })
    .join('');
}

/** The prompt tokens of an OpenAI or Anthropic request body. */
export function promptTokensOf(body: any): number {
  let n = PRIMING;
  if (body?.system !== undefined) n += PER_MESSAGE + countTokens(textOf(body.system));
  for (const m of body?.messages ?? []) {
    n += PER_MESSAGE + countTokens(textOf(m.content));
    for (const call of m.tool_calls ?? []) n += countTokens(call.function.name + call.function.arguments);
  }
  if (body?.tools?.length) n += countTokens(JSON.stringify(body.tools));
  return n;
}

/** The output cap the upstream was sent (Anthropic: max_tokens; OpenAI: max_completion_tokens, else max_tokens). */
export function outputCapOf(body: any, path: string): number | undefined {
  if (path.startsWith('/v1/messages')) return body?.max_tokens;
  return body?.max_completion_tokens ?? body?.max_tokens ?? undefined;
}

/**
 * A fallback for the mock: answers every request with usage counted from the request itself and an
 * answer that would run to `answerTokens`, cut at the request's cap (finish "length" when cut).
 */
export function tokenizedAnswers(opts: { answerTokens: number; text?: string; frameDelayMs?: number }) {
  return (body: any, path: string): MockReply => {
    const cap = outputCapOf(body, path);
    const output = cap === undefined ? opts.answerTokens : Math.min(cap, opts.answerTokens);
    return {
      kind: 'text',
      text: opts.text ?? 'ok',
      usage: { input: promptTokensOf(body), output },
      finish: output < opts.answerTokens ? 'length' : 'stop',
      ...(opts.frameDelayMs ? { frameDelayMs: opts.frameDelayMs } : {}),
    };
  };
}

// Messages answer (non-streaming) → chat.completion (pure), for chat clients of a provider that
// speaks Messages. The reverse of from-chat-response.ts; the stream counterpart is to-chat-stream.ts.
// Spec: https://docs.anthropic.com/en/api/messages (response body).
import { GatewayError } from '../../errors.js';
import type { ChatCompletion } from '../../openai/types.js';
import { toolCallsOf } from './turn.js';
import type { Message } from './types.js';
import { mapStopReason, mapUsage } from './usage.js';

function isMessage(body: unknown): body is Message {
  const b = body as Partial<Message> | null;
  return typeof b === 'object' && b !== null && typeof b.id === 'string' && Array.isArray(b.content);
}

export function completionFromMessage(body: unknown, now: () => number = Date.now): ChatCompletion {
  if (!isMessage(body)) {
    throw new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_malformed',
      message: 'anthropic returned a response that is not a message',
    });
  }
  let text = '';
  let hasText = false;
  for (const block of body.content) {
    if (block.type === 'text' && typeof block.text === 'string') {
      text += block.text;
      hasText = true;
    }
    // thinking / redacted_thinking / server tool blocks have no Chat Completions equivalent.
  }
  const toolCalls = toolCallsOf(body.content);
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: hasText ? text : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: body.id,
    object: 'chat.completion',
    created: Math.floor(now() / 1000),
    model: body.model,
    choices: [{ index: 0, message, finish_reason: mapStopReason(body.stop_reason), logprobs: null }],
    usage: mapUsage(body.usage),
  };
}

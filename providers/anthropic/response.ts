// Anthropic message (non-streaming) → OpenAI chat.completion.
// Spec: https://docs.anthropic.com/en/api/messages (response body).
import { GatewayError } from '../../src/errors.js';
import type { ChatCompletion, ToolCall } from '../../src/openai/types.js';
import { mapStopReason, mapUsage } from '../../src/wire/messages/usage.js';
import type { AnthropicMessage } from './wire-types.js';

function isMessage(body: unknown): body is AnthropicMessage {
  const b = body as Partial<AnthropicMessage> | null;
  return typeof b === 'object' && b !== null && typeof b.id === 'string' && Array.isArray(b.content);
}

export function chatResponse(body: unknown, now: () => number = Date.now): ChatCompletion {
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
  const toolCalls: ToolCall[] = [];
  for (const block of body.content) {
    if (block.type === 'text' && typeof block.text === 'string') {
      text += block.text;
      hasText = true;
    } else if (block.type === 'tool_use') {
      // input is the parsed object; OpenAI carries arguments as JSON text.
      toolCalls.push({
        type: 'function',
        id: String(block.id),
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // thinking / redacted_thinking / server tool blocks have no Chat Completions equivalent.
  }
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

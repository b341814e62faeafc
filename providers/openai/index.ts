// Any OpenAI-compatible upstream: OpenAI, vLLM, Ollama, Groq, LM Studio…
// https://platform.openai.com/docs/api-reference/chat/create
import type { ProviderAdapter } from '../types.js';
import { buildChatRequest, nativeRequest } from './request.js';
import { createStreamTranslator, parseChatResponse } from './response.js';
import { upstreamMessage, upstreamStatusError } from '../shared/upstream-error.js';

export const openaiAdapter: ProviderAdapter = {
  type: 'openai',
  apis: ['chat'],
  // For compatible servers that also speak another format (config "apis"), e.g. /v1/messages.
  nativeRequest,
  chatRequest: buildChatRequest,
  chatResponse: (body) => parseChatResponse(body),
  canonicalResponses: true,
  streamTranslator: () => createStreamTranslator(),
  errorFromResponse: (status, bodyText, headers) => upstreamStatusError('openai', status, upstreamMessage(bodyText), headers),
};

// The Anthropic Messages API adapter: pure translation between OpenAI Chat Completions and
// https://docs.anthropic.com/en/api/messages (+ streaming). The gateway does all I/O.
import type { ProviderAdapter } from '../types.js';
import { errorFromResponse } from './errors.js';
import { chatRequest, nativeRequest } from './request.js';
import { chatResponse } from './response.js';
import { createStreamTranslator } from './stream.js';

export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  // Chat requests are translated (request.ts); Messages requests are passed through as they came.
  apis: ['messages'],
  nativeRequest,
  chatRequest,
  chatResponse: (body) => chatResponse(body),
  // Anthropic messages are translated, so the gateway always serialises its own completion.
  canonicalResponses: false,
  streamTranslator: () => createStreamTranslator(),
  errorFromResponse,
};

export { ANTHROPIC_VERSION } from './request.js';

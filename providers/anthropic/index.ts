// The Anthropic Messages API adapter: https://docs.anthropic.com/en/api/messages (+ streaming).
// A thin adapter: the translation between Chat Completions and Messages is the Messages wire
// format's own (src/wire/messages: from-chat-request.ts, to-chat-response.ts, to-chat-stream.ts),
// the same translator a Messages client of a chat upstream goes through the other way. This folder
// holds only the HTTP envelope (request.ts) and how Anthropic reports failures (errors.ts).
import { completionFromMessage } from '../../src/wire/messages/to-chat-response.js';
import { chunksFromMessagesStream } from '../../src/wire/messages/to-chat-stream.js';
import type { ProviderAdapter } from '../types.js';
import { errorFromResponse } from './errors.js';
import { chatRequest, nativeRequest } from './request.js';

export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  // Chat requests are translated; Messages requests are passed through as they came.
  apis: ['messages'],
  nativeRequest,
  chatRequest,
  chatResponse: (body) => completionFromMessage(body),
  // Anthropic messages are translated, so the gateway always serialises its own completion.
  canonicalResponses: false,
  streamTranslator: () => chunksFromMessagesStream(),
  errorFromResponse,
};

export { ANTHROPIC_VERSION } from './request.js';

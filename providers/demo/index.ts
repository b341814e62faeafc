// The built-in demo provider: an echo model that can also call a tool, answered in-process (no
// network, no key), so the example config works on a fresh clone. It is off unless a provider in
// the config has `"type": "demo"`; startup says when it is on, and NODE_ENV=production refuses it
// unless TOLLGATE_ALLOW_DEMO=1 (src/demo-guard.ts). It speaks OpenAI Chat Completions, so the
// OpenAI adapter's translation is reused; only the destination differs.
import type { ProviderAdapter } from '../types.js';
import { buildChatRequest } from '../openai/request.js';
import { createStreamTranslator, parseChatResponse } from '../openai/response.js';
import { upstreamMessage, upstreamStatusError } from '../shared/upstream-error.js';
import { createDemoUpstream, DEMO_ORIGIN } from './upstream.js';

export const demoAdapter: ProviderAdapter = {
  type: 'demo',
  // The configured baseUrl is ignored: requests never leave the process, whatever the config says.
  chatRequest: (req, ctx) => buildChatRequest(req, { ...ctx, baseUrl: DEMO_ORIGIN }),
  chatResponse: (body) => parseChatResponse(body),
  canonicalResponses: true,
  streamTranslator: () => createStreamTranslator(),
  errorFromResponse: (status, bodyText, headers) => upstreamStatusError('demo', status, upstreamMessage(bodyText), headers),
  inProcess: createDemoUpstream(),
};

// The HTTP envelope of a call to Anthropic's `POST /v1/messages`: URL, version, key and config
// headers. What goes in the body is the Messages wire format's business (src/wire/messages): a chat
// request is translated by chatToMessages, a Messages request is the client's own bytes.
// Spec: https://docs.anthropic.com/en/api/messages
import type { ChatRequest } from '../../src/openai/types.js';
import { chatToMessages } from '../../src/wire/messages/from-chat-request.js';
import type { AdapterContext, NativeRequestInput, UpstreamRequest } from '../types.js';
import { upstreamUrl } from '../shared/upstream-url.js';

/** https://docs.anthropic.com/en/api/versioning */
export const ANTHROPIC_VERSION = '2023-06-01';

export function chatRequest(req: ChatRequest, ctx: AdapterContext): UpstreamRequest {
  const headers: Record<string, string> = {
    'anthropic-version': ANTHROPIC_VERSION,
    'content-type': 'application/json',
  };
  if (ctx.apiKey) headers['x-api-key'] = ctx.apiKey;
  return {
    url: upstreamUrl(ctx.baseUrl, '/v1/messages'),
    method: 'POST',
    // Config headers last: they may pin another anthropic-version or add anthropic-beta.
    headers: Object.assign(headers, ctx.headers),
    body: JSON.stringify(chatToMessages(req, { model: ctx.model, defaultMaxTokens: ctx.defaultMaxTokens })),
  };
}

/**
 * A Messages request passed through: the client's path (and query, e.g. ?beta=true) and body, its
 * anthropic-version and anthropic-beta as sent (open lists: never filtered), our key.
 */
export function nativeRequest(input: NativeRequestInput, ctx: AdapterContext): UpstreamRequest {
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, 'content-type': 'application/json', ...input.headers };
  if (ctx.apiKey) headers['x-api-key'] = ctx.apiKey;
  return { url: upstreamUrl(ctx.baseUrl, input.path), method: 'POST', headers: Object.assign(headers, ctx.headers), body: input.body };
}

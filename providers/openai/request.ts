// OpenAI-compatible request building. The body is the client's own request with only the model
// swapped and Tollgate's own fields removed, so parameters we do not know still reach the upstream.
import type { AdapterContext, NativeRequestInput, UpstreamRequest } from '../types.js';
import type { ChatRequest } from '../../src/openai/types.js';

/** Request fields that belong to Tollgate and must never reach an upstream. */
const GATEWAY_FIELDS = new Set(['fallbacks']);

export function buildChatRequest(req: ChatRequest, ctx: AdapterContext): UpstreamRequest {
  const body: Record<string, unknown> = {};
  for (const key in req) {
    if (!GATEWAY_FIELDS.has(key)) body[key] = req[key];
  }
  body.model = ctx.model;
  // The ledger needs usage for every streamed response; the gateway drops the usage chunk again
  // when the client did not ask for it.
  if (req.stream) body.stream_options = Object.assign({}, req.stream_options, { include_usage: true });
  const headers: Record<string, string> = { 'content-type': 'application/json', ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return { url: `${ctx.baseUrl}/chat/completions`, method: 'POST', headers, body: JSON.stringify(body) };
}

/** A pass-through call in another format this server speaks (baseUrl ends in /v1, like the client's path). */
export function nativeRequest(input: NativeRequestInput, ctx: AdapterContext): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...input.headers, ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return { url: `${ctx.baseUrl}${input.path.replace(/^\/v1(?=\/)/, '')}`, method: 'POST', headers, body: input.body };
}

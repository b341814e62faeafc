// OpenAI-compatible request building. The body is the client's own request with only the model
// swapped and Tollgate's own fields removed, so parameters we do not know still reach the upstream.
import type { AdapterContext, NativeRequestInput, UpstreamRequest } from '../types.js';
import type { ChatRequest } from '../../src/openai/types.js';
import { upstreamUrl } from '../shared/upstream-url.js';

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
  return { url: chatUrl(ctx.baseUrl), method: 'POST', headers: upstreamHeaders(ctx), body: JSON.stringify(body) };
}

// The URL and headers are the same for every call to one provider with one key, so they are built
// once: per request they were a headers object, a `Bearer …` string and a URL string (about 0.5 KB
// allocated per call; bench/README.md, "Allocation per request"). Nothing downstream writes to
// them: undici only reads the headers object (it serialises it into its own request).
const chatUrls = new Map<string, string>();
const headerSets = new WeakMap<Readonly<Record<string, string>>, Map<string, Record<string, string>>>();
// Bounds on what these caches keep: base URLs and keys come from the config, so a few of each.
const MAX_CACHED = 256;

function chatUrl(baseUrl: string): string {
  let url = chatUrls.get(baseUrl);
  if (url === undefined) {
    url = upstreamUrl(baseUrl, '/chat/completions');
    if (chatUrls.size >= MAX_CACHED) chatUrls.clear();
    chatUrls.set(baseUrl, url);
  }
  return url;
}

const NO_HEADERS: Readonly<Record<string, string>> = {};

function upstreamHeaders(ctx: AdapterContext): Record<string, string> {
  const extra = ctx.headers ?? NO_HEADERS;
  let byKey = headerSets.get(extra);
  if (!byKey) headerSets.set(extra, (byKey = new Map()));
  const apiKey = ctx.apiKey ?? '';
  let headers = byKey.get(apiKey);
  if (!headers) {
    headers = { 'content-type': 'application/json', ...extra };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (byKey.size >= MAX_CACHED) byKey.clear();
    byKey.set(apiKey, headers);
  }
  return headers;
}

/** A pass-through call in another format this server speaks (baseUrl ends in /v1, like the client's path). */
export function nativeRequest(input: NativeRequestInput, ctx: AdapterContext): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...input.headers, ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return { url: upstreamUrl(ctx.baseUrl, input.path.replace(/^\/v1(?=\/)/, '')), method: 'POST', headers, body: input.body };
}

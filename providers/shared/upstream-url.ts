// An upstream URL from a provider's baseUrl and an API path. A base may carry a query (Azure
// OpenAI's `?api-version=…`): the path goes on the base's pathname, before its query, and the base's
// query is kept, ahead of the call's own (input_items' `?limit=`, Messages' `?beta=true`). Plain
// string work, no URL parsing: what was configured and what the client sent reach the upstream with
// the same bytes (no re-encoding), and a base without a query costs one indexOf.

/**
 * `baseUrl` (no trailing slash before its query: targets.ts strips one at the end, this one before
 * `?`) joined with `path` (`/chat/completions`, `/v1/responses/id/input_items?limit=2`).
 */
export function upstreamUrl(baseUrl: string, path: string): string {
  const q = baseUrl.indexOf('?');
  if (q === -1) return baseUrl + path;
  const base = baseUrl.slice(0, q).replace(/\/+$/, '');
  const query = baseUrl.slice(q + 1);
  const p = path.indexOf('?');
  if (p === -1) return query ? `${base}${path}?${query}` : base + path;
  const own = path.slice(p + 1);
  const both = query && own ? `${query}&${own}` : query || own;
  return `${base}${path.slice(0, p)}${both ? `?${both}` : ''}`;
}

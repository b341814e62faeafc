// GET and DELETE /v1/responses/{id}: a response is this key's or it is not found. The gateway's
// own come from its store; one a native upstream stored is fetched from (or deleted at) that
// provider with the provider's credentials, the answer passed on as the upstream sent it.
import { notFound } from '../errors.js';
import { type Access, inCallSlot } from '../chat/ports.js';
import type { Target } from '../chat/targets.js';
import type { ResponsesDeps } from './handler.js';
import { sendResponses } from './native-call.js';
import { INPUT_ITEMS_PARAMS, inputItemsPage } from './input-items.js';

export type StoredAnswer = { kind: 'json'; body: unknown } | { kind: 'text'; text: string };

export async function readStored(deps: ResponsesDeps, access: Access, id: string, signal: AbortSignal): Promise<StoredAnswer> {
  const entry = await deps.responses.get(id, access.keyId);
  if (!entry) throw missing(id);
  if (entry.kind === 'gateway') return { kind: 'json', body: entry.response };
  return { kind: 'text', text: await upstream(deps, access, entry.provider, id, 'GET', signal) };
}

export async function deleteStored(deps: ResponsesDeps, access: Access, id: string, signal: AbortSignal): Promise<StoredAnswer> {
  const entry = await deps.responses.get(id, access.keyId);
  if (!entry) throw missing(id);
  const text = entry.kind === 'upstream' ? await upstream(deps, access, entry.provider, id, 'DELETE', signal) : undefined;
  await deps.responses.delete(id, access.keyId);
  return text === undefined ? { kind: 'json', body: { id, object: 'response', deleted: true } } : { kind: 'text', text };
}

/**
 * GET /v1/responses/{id}/input_items: a response of the key's own. The gateway's lists the items
 * its request sent; one a native upstream stored is listed by that upstream (the list's query
 * parameters passed on, nothing else).
 */
export async function listInputItems(
  deps: ResponsesDeps,
  access: Access,
  id: string,
  query: URLSearchParams,
  signal: AbortSignal,
): Promise<StoredAnswer> {
  const entry = await deps.responses.get(id, access.keyId);
  if (!entry) throw missing(id);
  if (entry.kind === 'gateway') return { kind: 'json', body: inputItemsPage(entry.input ?? [], query) };
  const passed = new URLSearchParams();
  for (const [name, value] of query) if (INPUT_ITEMS_PARAMS.has(name)) passed.append(name, value);
  const search = passed.size ? `?${passed}` : '';
  return { kind: 'text', text: await upstream(deps, access, entry.provider, id, 'GET', signal, `/input_items${search}`) };
}

const missing = (id: string) => notFound(`Response with id '${id}' not found.`);

async function upstream(
  deps: ResponsesDeps,
  access: Access,
  provider: string,
  id: string,
  method: 'GET' | 'DELETE',
  signal: AbortSignal,
  /** After the response's path (a sub-resource and its query). */
  suffix = '',
): Promise<string> {
  const runtime = deps.targets.providers().find((p) => p.name === provider);
  // The provider left the config since: nothing to ask.
  if (!runtime) throw missing(id);
  const target: Target = {
    id: `${provider}/`,
    providerName: provider,
    provider: runtime.config,
    adapter: runtime.adapter,
    model: '',
    apis: runtime.apis,
    ...(runtime.missingKeyVars ? { missingKeyVars: runtime.missingKeyVars } : {}),
  };
  const path = `/v1/responses/${encodeURIComponent(id)}${suffix}`;
  return inCallSlot(access, () => sendResponses(deps.llm, { path, method, stream: false, signal, body: '' }, target));
}

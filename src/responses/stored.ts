// GET and DELETE /v1/responses/{id}: a response is this key's or it is not found. The gateway's
// own come from its store; one a native upstream stored is fetched from (or deleted at) that
// provider with the provider's credentials, the answer passed on as the upstream sent it (with what
// the POST showed in place of the last round's fields, when the gateway changed the request).
// Each such request is a requests row (surface 'responses', operation 'retrieve', 'delete' or
// 'input_items'), refusals and failures included: serveStored.
import { type GatewayError, notFound } from '../errors.js';
import { malformedUpstream, type UpstreamRefusal } from '../chat/native-upstream.js';
import { parseJson, withStatus } from '../chat/upstream-answer.js';
import { type Access, inCallSlot } from '../chat/ports.js';
import type { Target } from '../chat/targets.js';
import { asClientError } from '../chat/client-error.js';
import { recordRequest } from '../chat/record.js';
import { sessionIdFrom } from '../chat/session-id.js';
import type { HeaderSource } from '../governance/keys.js';
import type { StoredEntry } from '../stored-responses/response-store.js';
import type { ResponsesDeps } from './handler.js';
import { sendResponses } from './native-call.js';
import { INPUT_ITEMS_PARAMS, inputItemsPage } from './input-items.js';
import { listShownItems } from './upstream-input-items.js';

export type StoredAnswer = { kind: 'json'; body: unknown } | { kind: 'text'; text: string };

/** What a stored-response request does, as requests.operation names it (the SDKs' method names). */
export type StoredOperation = 'retrieve' | 'delete' | 'input_items';

export interface StoredCall {
  requestId: string;
  headers: HeaderSource;
  operation: StoredOperation;
}

/** What the stored entry says of the response, for the requests row: who holds it, which model answered. */
export interface StoredSeen {
  provider?: string;
  upstreamModel?: string;
}

/**
 * Admits the request and runs `run`, then writes its requests row: the key (also when refused:
 * another key's id is a 404 under the key that asked), the status sent, the latency, the error,
 * and the provider or model its entry names. No llm_calls row and a cost of 0, as count_tokens:
 * reading or deleting a stored response is no model call, so it has no tokens, hence no token
 * cost (a known 0, not an unknown price, which would be NULL); an llm_calls row would count it
 * as a model call in cost_by_model_day, under a model it does not name. The upstream it may ask
 * shows in the row's `provider`.
 */
export async function serveStored(
  deps: ResponsesDeps,
  call: StoredCall,
  run: (access: Access, seen: StoredSeen) => Promise<StoredAnswer>,
): Promise<StoredAnswer> {
  const startedAt = deps.now();
  const seen: StoredSeen = {};
  let access: Access | undefined;
  const row = () => ({
    startedAt,
    access,
    requestId: call.requestId,
    surface: 'responses' as const,
    sessionId: sessionIdFrom(call.headers, deps.sessionHeaders),
    operation: call.operation,
    provider: seen.provider,
    upstreamModel: seen.upstreamModel,
  });
  try {
    access = await deps.gate.admit(call.headers);
    const out = await run(access, seen);
    recordRequest(deps, undefined, Object.assign(row(), { status: 200 }));
    return out;
  } catch (err) {
    const error = asClientError(err, undefined);
    recordRequest(deps, undefined, Object.assign(row(), { status: error.status, error }));
    throw err;
  }
}

export async function readStored(
  deps: ResponsesDeps,
  access: Access,
  id: string,
  signal: AbortSignal,
  seen: StoredSeen = {},
): Promise<StoredAnswer> {
  const entry = await lookUp(deps, access, id, seen);
  if (entry.kind === 'gateway') return { kind: 'json', body: entry.response };
  const text = await upstream(deps, access, entry.provider, id, 'GET', signal);
  if (!entry.shown) return { kind: 'text', text };
  // The gateway ran rounds or added tools: the POST showed its own output, tools and usage in place
  // of the last round's, so this does too; the rest (status, metadata…) is the upstream's now.
  const body = parseJson(text, 200);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw malformedUpstream(200, 'a Responses object');
  return { kind: 'json', body: Object.assign(body, entry.shown) };
}

export async function deleteStored(
  deps: ResponsesDeps,
  access: Access,
  id: string,
  signal: AbortSignal,
  seen: StoredSeen = {},
): Promise<StoredAnswer> {
  const entry = await lookUp(deps, access, id, seen);
  let text: string | undefined;
  if (entry.kind === 'upstream') {
    try {
      text = await upstream(deps, access, entry.provider, id, 'DELETE', signal);
    } catch (err) {
      // The upstream no longer has it: the response is gone, so the entry goes too (else each later
      // GET of the id would ask the upstream again, for another 404). Any other failure (the
      // upstream down, refusing, the provider left the config) may pass: the entry stays.
      if (goneUpstream.has(err as GatewayError)) await deps.responses.delete(id, access.keyId);
      throw err;
    }
  }
  await deps.responses.delete(id, access.keyId);
  return text === undefined ? { kind: 'json', body: { id, object: 'response', deleted: true } } : { kind: 'text', text };
}

/**
 * GET /v1/responses/{id}/input_items: a response of the key's own. The gateway's lists the items
 * its request sent; one a native upstream stored is listed by that upstream (the list's query
 * parameters passed on, nothing else), without the gateway's own calls when it made some.
 */
export async function listInputItems(
  deps: ResponsesDeps,
  access: Access,
  id: string,
  query: URLSearchParams,
  signal: AbortSignal,
  seen: StoredSeen = {},
): Promise<StoredAnswer> {
  const entry = await lookUp(deps, access, id, seen);
  if (entry.kind === 'gateway') return { kind: 'json', body: inputItemsPage(entry.input ?? [], query) };
  if (entry.hiddenCalls?.length) {
    const get = (suffix: string) => upstream(deps, access, entry.provider, id, 'GET', signal, suffix);
    return { kind: 'json', body: await listShownItems(new Set(entry.hiddenCalls), query, get) };
  }
  const passed = new URLSearchParams();
  for (const [name, value] of query) if (INPUT_ITEMS_PARAMS.has(name)) passed.append(name, value);
  const search = passed.size ? `?${passed}` : '';
  return { kind: 'text', text: await upstream(deps, access, entry.provider, id, 'GET', signal, `/input_items${search}`) };
}

const missing = (id: string) => notFound(`Response with id '${id}' not found.`);

/** The key's entry for `id` (else 404), what it says noted in `seen`. */
async function lookUp(deps: ResponsesDeps, access: Access, id: string, seen: StoredSeen): Promise<StoredEntry> {
  const entry = await deps.responses.get(id, access.keyId);
  if (!entry) throw missing(id);
  if (entry.kind === 'upstream') seen.provider = entry.provider;
  else seen.upstreamModel = entry.response.model;
  return entry;
}

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
  return inCallSlot(access, () => sendResponses(deps.llm, { path, method, stream: false, signal, body: '' }, target, keepNotFound));
}

/**
 * The upstream no longer has the response (expired, deleted elsewhere) or the item asked: the
 * client is told 404 not_found_error, as for an id the gateway does not hold, with the upstream's
 * message. The adapters' mapping makes any upstream 404 a 400 upstream_rejected, right for a model
 * call (the request named something wrong) but not for a read of a resource that is gone.
 */
function keepNotFound(err: GatewayError, refusal: UpstreamRefusal): GatewayError {
  if (refusal.status !== 404) return err;
  const gone = withStatus(notFound(err.message), 404);
  goneUpstream.add(gone);
  return gone;
}

/** The errors keepNotFound made: the upstream said 404 (not the gateway's own 404 of a missing provider). */
const goneUpstream = new WeakSet<GatewayError>();

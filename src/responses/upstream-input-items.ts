// GET /v1/responses/{id}/input_items for a response a native upstream stored after the gateway's own
// tool rounds. The upstream stored the last round's input: the client's items and the gateway's
// function calls and their outputs, which the response never showed the client. Those are left out,
// and so that pages stay true (first_id, last_id, has_more, after/before naming a shown item), the
// upstream's whole list is read, in pages of its maximum, and paged here as the gateway pages the
// responses it stores itself (input-items.ts). Responses without such calls are listed by the
// upstream alone (stored.ts).
import { GatewayError } from '../errors.js';
import { parseJson } from '../chat/upstream-answer.js';
import type { InputItem } from '../wire/responses/types.js';
import { inputItemsPage, pageOptions, type InputItemList } from './input-items.js';

/** OpenAI's largest page. */
const UPSTREAM_PAGE = 100;
/** Pages read at most (10,000 items): an upstream that always says has_more ends in an error, not a loop. */
const MAX_PAGES = 100;

/**
 * The list without the items of `hidden` call ids, paged per `query`. `get` sends one GET of the
 * response's sub-resource (`/input_items?…`) and returns the upstream's text (stored.ts upstream).
 */
export async function listShownItems(
  hidden: ReadonlySet<string>,
  query: URLSearchParams,
  get: (suffix: string) => Promise<string>,
  pageSize = UPSTREAM_PAGE,
): Promise<InputItemList> {
  pageOptions(query); // A bad limit or order is refused before anything goes upstream.
  const shown: InputItem[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = new URLSearchParams({ order: 'asc', limit: String(pageSize) });
    if (after !== undefined) params.set('after', after);
    for (const name of ['include', 'include[]']) for (const value of query.getAll(name)) params.append(name, value);
    const list = readList(await get(`/input_items?${params}`));
    for (const item of list.data) if (!isHidden(item, hidden)) shown.push(item);
    if (!list.has_more) return inputItemsPage(shown, query);
    const last = (list.data.at(-1) as { id?: unknown } | undefined)?.id;
    if (typeof last !== 'string') throw malformed('the upstream said it has more input items but named none to continue after');
    after = last;
  }
  throw malformed(`the upstream's list of input items did not end within ${MAX_PAGES} pages`);
}

function isHidden(item: InputItem, hidden: ReadonlySet<string>): boolean {
  if (item.type !== 'function_call' && item.type !== 'function_call_output') return false;
  const callId = (item as { call_id?: unknown }).call_id;
  return typeof callId === 'string' && hidden.has(callId);
}

function readList(text: string): { data: InputItem[]; has_more: boolean } {
  const json = parseJson(text, 200) as { data?: unknown; has_more?: unknown } | null;
  if (!json || typeof json !== 'object' || !Array.isArray(json.data))
    throw malformed('the upstream sent something other than a list of input items');
  return { data: json.data as InputItem[], has_more: json.has_more === true };
}

const malformed = (message: string) => new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_malformed', message });

// GET /v1/responses/{id}/input_items for a response the gateway stored (a translated upstream has no
// store of its own): the items its request sent, kept with it, listed as OpenAI lists them — a page
// of `limit` (1–100, default 20) in `order` (desc, the default, or asc), after or before an item id.
// Pure. A response a native upstream stored is listed by that upstream (stored.ts).
// https://platform.openai.com/docs/api-reference/responses/input-items
import { invalidRequest } from '../errors.js';
import type { InputItem, ResponsesRequest } from '../wire/responses/types.js';
import { inputItems } from '../wire/responses/native-items.js';

export interface InputItemList {
  object: 'list';
  data: InputItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * The request's input as input_items lists it: a string is one user message; a message's text
 * content is one text part; an item without an id gets one (pages are cut at ids).
 */
export function storedInput(req: ResponsesRequest, newId: (prefix: string) => string): InputItem[] {
  return inputItems(req).map((item) => {
    const type = item.type ?? 'message';
    const message = type === 'message' && 'role' in item;
    let out = item as InputItem & { id?: unknown; content?: unknown; role?: unknown };
    if (message && typeof out.content === 'string') {
      const part = out.role === 'assistant' ? 'output_text' : 'input_text';
      out = Object.assign({}, out, { type: 'message', content: [{ type: part, text: out.content }] }) as typeof out;
    }
    if (typeof out.id === 'string' && out.id) return out;
    return Object.assign({ id: newId(message ? 'msg' : 'item') }, out);
  });
}

/** Query parameters the list takes (and passes to a native upstream). */
export const INPUT_ITEMS_PARAMS: ReadonlySet<string> = new Set(['after', 'before', 'limit', 'order', 'include', 'include[]']);

/** The page's `limit` and `order`, checked (400 naming the parameter). */
export function pageOptions(query: URLSearchParams): { limit: number; order: 'asc' | 'desc' } {
  const limitText = query.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidRequest(`limit must be an integer from 1 to 100; got '${limitText}'`, 'limit');
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalidRequest(`order must be 'asc' or 'desc'; got '${order}'`, 'order');
  return { limit, order };
}

export function inputItemsPage(items: readonly InputItem[], query: URLSearchParams): InputItemList {
  const { limit, order } = pageOptions(query);
  const ordered = order === 'asc' ? items : [...items].reverse();
  const at = (param: 'after' | 'before'): number | undefined => {
    const id = query.get(param);
    if (id === null) return undefined;
    const i = ordered.findIndex((item) => (item as { id?: unknown }).id === id);
    if (i < 0) throw invalidRequest(`No input item with id '${id}' in this response.`, param);
    return i;
  };
  const after = at('after');
  const before = at('before');
  const start = after === undefined ? 0 : after + 1;
  const end = before === undefined ? ordered.length : before;
  // Only `before`: the page just before it (the items nearest to it).
  const from = before !== undefined && after === undefined ? Math.max(start, end - limit) : start;
  const to = Math.max(from, Math.min(end, from + limit));
  const data = ordered.slice(from, to);
  const idOf = (item: InputItem | undefined) => ((item as { id?: string } | undefined)?.id ?? null) as string | null;
  return {
    object: 'list',
    data,
    first_id: idOf(data[0]),
    last_id: idOf(data.at(-1)),
    has_more: before !== undefined && after === undefined ? from > start : to < end,
  };
}

// Responses kept for previous_response_id, GET and DELETE on /v1/responses, in the database (SQLite,
// or PostgreSQL shared by replicas: a follow-up may reach any of them). Two kinds:
// - the gateway's own (store not false on a translated upstream, which has no store): the response
//   object and its conversation as chat messages, without the request's instructions;
// - a pointer to a response a native upstream stored: which provider holds it, so GET and DELETE
//   go there with that provider's credentials.
// Per key: another key's id is "not found", never its content. Bounded: rows expire after `ttlMs`
// (pruned at most once per interval, on a write) and each key keeps its newest `maxPerKey`.
// Beside them, in a table of their own, the ids each key was shown (code-execution containers, Chat
// Completions audio), bounded the same way for each kind.
import type { ResponseDbRow } from '../db/responses-sql.js';
import type { ChatMessage } from '../openai/types.js';
import type { InputItem, ResponseObject } from '../wire/responses/types.js';

export interface StoredResponse {
  id: string;
  keyId: string | null;
  response: ResponseObject;
  /** The conversation after this response, in chat terms, without the request's instructions. */
  messages: ChatMessage[];
  /**
   * The request's own input items, each with an id (GET /v1/responses/{id}/input_items). Absent on
   * rows of earlier versions. Kept in the messages column beside the messages (rowOf).
   */
  input?: InputItem[];
}

export interface UpstreamResponseRef {
  id: string;
  keyId: string | null;
  /** The configured provider whose upstream stored it. */
  provider: string;
  /**
   * The most input tokens its conversation adds to a follow-up that continues it upstream (its last
   * round's input and output): the upstream bills them, the follow-up's own bytes do not bound
   * them. Absent on rows of earlier versions.
   */
  carriedTokens?: number;
  /**
   * The ids of the output items the client was shown (every round's), which an `item_reference`
   * of this key may name: the upstream shares one store across keys, so only these are the key's.
   */
  items?: string[];
  /**
   * Of those, the most input tokens each adds when sent back by id alone (the upstream reads it
   * from its store), from the usage of the round that made it (reasoning-size.ts). An item shown
   * without one (rows of earlier versions, items the gateway made, images) has no known size.
   */
  itemTokens?: Record<string, number>;
  /**
   * The call ids of the function calls and outputs the gateway put in the last round's input (its
   * own tool rounds, calls stitched back in): listed by the upstream among the response's input
   * items, never shown to the client, so input_items leaves them out. Absent when there were none.
   */
  hiddenCalls?: string[];
  /**
   * The fields the POST showed in place of the upstream's last round (its output over every round,
   * the client's tools, the usage of all rounds…), laid over what the upstream answers to GET.
   * Absent when the gateway passed the request through unchanged.
   */
  shown?: Record<string, unknown>;
}

export type StoredEntry = ({ kind: 'gateway' } & StoredResponse) | ({ kind: 'upstream' } & UpstreamResponseRef);

export interface ResponseStore {
  get(id: string, keyId: string | null): Promise<StoredEntry | undefined>;
  /**
   * Keeps it for its key, unless another key's unexpired response has its id: that one stays, and
   * this is not kept (IdClashError: thrown, or reported where the store reports failed writes).
   */
  put(entry: StoredEntry): Promise<void>;
  /** True when it existed (for this key). */
  delete(id: string, keyId: string | null): Promise<boolean>;
  /** Whether another key's unexpired response has this id (held or written). */
  heldByOther(id: string, keyId: string | null): Promise<boolean>;
  /** Whether an unexpired upstream response of this key showed an output item with this id. */
  ownsItem(itemId: string, keyId: string | null): Promise<boolean>;
  /** The same, with what the response recorded of the item (its size); undefined when not shown. */
  shownItem(itemId: string, keyId: string | null): Promise<ShownItem | undefined>;
  /**
   * The key was shown these ids of this kind (an answer of its own reported them: code-execution
   * containers, Chat Completions audio): they are its to name, for the same time and number as its
   * responses (ttlMs; maxPerKey of each kind, so one kind cannot push out another; reported again,
   * an id's time starts over). Readable at once by any later ownsShown. An id another key (or
   * kind) holds unexpired stays its: the others are recorded, then IdClashError names it. `tokens`:
   * the ids' size (an audio id: the most input tokens it adds named by id, owned-audio.ts).
   */
  showIds(kind: ShownKind, ids: readonly string[], keyId: string | null, tokens?: number): Promise<void>;
  /**
   * When the key was shown this id as this kind and the record has not expired
   * (governance/owned-containers.ts): its recorded size, if any; else undefined.
   */
  ownsShown(kind: ShownKind, id: string, keyId: string | null): Promise<ShownId | undefined>;
}

/**
 * An id another key holds: the first key shown a container or audio id, or given a response id, keeps
 * it until its row expires, and a later key's write of it is not made (logged by whoever hears the
 * error: the key then cannot name the id). Ids are the upstream's, unique there; a clash means an
 * upstream reused one or let a client choose it (vLLM's `request_id` becomes the response id).
 */
export class IdClashError extends Error {
  override name = 'IdClashError';
}

/** Shown to another key first (shown_containers): not recorded for this one. */
export const clashError = (kind: ShownKind, ids: readonly string[]): IdClashError =>
  new IdClashError(`${kind} id ${ids.join(', ')} was shown to another key first: not recorded for this key, which cannot name it`);

/** Another key's response has the id (stored_responses): this one is not kept. */
export const responseClashError = (ids: readonly string[]): IdClashError =>
  new IdClashError(`stored responses: ${ids.join(', ')} is another key's: not kept for this key (it reads as not found)`);

/** An output item a key was shown: the input tokens it adds when sent back by id, when recorded (UpstreamResponseRef.itemTokens). */
export interface ShownItem {
  tokens: number | undefined;
}

/** An id a key was shown (shown_containers): its recorded size in tokens, undefined when not recorded. */
export interface ShownId {
  tokens: number | undefined;
}

/** A shown_containers row's tokens column as a ShownId (PostgreSQL may give a bigint as a string). */
export function shownIdOf(tokens: number | string | null): ShownId {
  const n = tokens === null ? undefined : Number(tokens);
  return { tokens: n !== undefined && Number.isFinite(n) ? n : undefined };
}

/** What an upstream row's response column records of one of its items. */
export function shownItemOf(response: string | null, itemId: string): ShownItem {
  const held = response === null ? undefined : (JSON.parse(response) as { itemTokens?: Record<string, unknown> });
  const tokens = held?.itemTokens && Object.hasOwn(held.itemTokens, itemId) ? held.itemTokens[itemId] : undefined;
  return { tokens: typeof tokens === 'number' && Number.isFinite(tokens) ? tokens : undefined };
}

/** What an id a key was shown is (shown_containers.kind): a lookup matches it, and each has its own bound per key. */
export type ShownKind = 'container' | 'audio' | 'approval';

export interface ResponseRetention {
  ttlMs: number;
  maxPerKey: number;
}

export const DEFAULT_RESPONSE_RETENTION: ResponseRetention = { ttlMs: 24 * 60 * 60 * 1000, maxPerKey: 2_000 };

/** Expired rows are deleted at most this often (on a write), so the table needs no timer. */
export const RESPONSE_PRUNE_EVERY_MS = 10 * 60 * 1000;

/** A stored_responses row as both databases return it (the writer thread's SQL reads it: db/responses-sql.ts). */
export type ResponseRow = ResponseDbRow;

export function entryFromRow(row: ResponseRow): StoredEntry {
  if (row.provider !== null) {
    // An upstream row's response column holds only its carried-token bound and hidden call ids.
    const held =
      row.response === null
        ? {}
        : (JSON.parse(row.response) as {
            carriedTokens?: number;
            hiddenCalls?: string[];
            shown?: Record<string, unknown>;
            itemTokens?: Record<string, number>;
          });
    const ref: StoredEntry = { kind: 'upstream', id: row.id, keyId: row.key_id, provider: row.provider };
    if (typeof held.carriedTokens === 'number') ref.carriedTokens = held.carriedTokens;
    if (Array.isArray(held.hiddenCalls)) ref.hiddenCalls = held.hiddenCalls;
    if (held.shown && typeof held.shown === 'object') ref.shown = held.shown;
    if (held.itemTokens && typeof held.itemTokens === 'object') ref.itemTokens = held.itemTokens;
    return ref;
  }
  // The messages column: the messages alone (rows of earlier versions), or them and the input items.
  const held = JSON.parse(row.messages ?? '[]') as ChatMessage[] | { messages: ChatMessage[]; input: InputItem[] };
  const entry: StoredEntry = {
    kind: 'gateway',
    id: row.id,
    keyId: row.key_id,
    response: JSON.parse(row.response ?? '{}') as ResponseObject,
    messages: Array.isArray(held) ? held : held.messages,
  };
  if (!Array.isArray(held)) entry.input = held.input;
  return entry;
}

/** The row's columns for an entry (JSON text for the gateway's own). */
export function rowOf(entry: StoredEntry): Omit<ResponseRow, 'id' | 'key_id'> {
  return entry.kind === 'upstream'
    ? {
        provider: entry.provider,
        response:
          entry.carriedTokens === undefined &&
          entry.hiddenCalls === undefined &&
          entry.shown === undefined &&
          entry.itemTokens === undefined
            ? null
            : JSON.stringify({
                carriedTokens: entry.carriedTokens,
                hiddenCalls: entry.hiddenCalls,
                shown: entry.shown,
                itemTokens: entry.itemTokens,
              }),
        // An upstream row has no messages: the column holds its items' ids (itemNeedle finds one).
        messages: entry.items?.length ? JSON.stringify(entry.items) : null,
      }
    : {
        provider: null,
        response: JSON.stringify(entry.response),
        messages: JSON.stringify(entry.input ? { messages: entry.messages, input: entry.input } : entry.messages),
      };
}

/**
 * What an upstream row's messages column holds for an item id: the id as a JSON string, quotes
 * included, so `msg_1` is not found inside `msg_12` (searched with instr / strpos, not LIKE, whose
 * `_` and `%` ids may contain).
 */
export const itemNeedle = (itemId: string): string => JSON.stringify(itemId);

/** Whether a row held in memory (not yet written) is an unexpired upstream response of this key that showed the item. */
export function rowShowsItem(row: ResponseRow & { expiresAt: number }, itemId: string, keyId: string | null, now: number): boolean {
  return row.key_id === keyId && row.provider !== null && row.expiresAt > now && (row.messages?.includes(itemNeedle(itemId)) ?? false);
}

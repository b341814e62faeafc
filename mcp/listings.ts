// What one server offers: its tools, prompts, resources and resource templates, each listed in full
// (the SDK follows nextCursor; pagination:
// https://modelcontextprotocol.io/specification/2026-07-28/server/utilities/pagination).
import type { Client, Prompt, Resource, ResourceTemplateType, ServerCapabilities, Tool } from '@modelcontextprotocol/client';

export interface Offer {
  tools: readonly Tool[];
  prompts: readonly Prompt[];
  resources: readonly Resource[];
  templates: readonly ResourceTemplateType[];
}

export const EMPTY_OFFER: Offer = Object.freeze({ tools: [], prompts: [], resources: [], templates: [] });

export type OfferKind = keyof Offer;

// The gateway keeps its own snapshot and is told of changes (list_changed), so it always asks the
// server rather than the SDK's response cache; 'refresh' still stores the answer for the SDK's own
// readers.
const FRESH = { cacheMode: 'refresh' } as const;

/** Lists one kind, or nothing when the server does not declare the capability. */
export async function listKind(client: Client, kind: OfferKind, timeoutMs: number): Promise<Offer[OfferKind]> {
  const caps: ServerCapabilities = client.getServerCapabilities() ?? {};
  const options = { ...FRESH, timeout: timeoutMs };
  switch (kind) {
    case 'tools':
      return caps.tools ? (await client.listTools(undefined, options)).tools : [];
    case 'prompts':
      return caps.prompts ? (await client.listPrompts(undefined, options)).prompts : [];
    case 'resources':
      return caps.resources ? (await client.listResources(undefined, options)).resources : [];
    case 'templates':
      return caps.resources ? (await client.listResourceTemplates(undefined, options)).resourceTemplates : [];
  }
}

/** Key of an offered item: tools and prompts by name, resources by URI, templates by URI template. */
export function offerKey(kind: OfferKind, item: Offer[OfferKind][number]): string {
  if (kind === 'resources') return (item as Resource).uri;
  if (kind === 'templates') return (item as ResourceTemplateType).uriTemplate;
  return (item as Tool | Prompt).name;
}

/**
 * The new list, reusing the previous object wherever a definition is unchanged, so work keyed on
 * the object (compiled validators, mapped shapes) is not redone on every refresh. Returns
 * `previous` itself when nothing changed.
 */
export function mergeListed<T>(previous: readonly T[], next: readonly T[], keyOf: (item: T) => string): readonly T[] {
  const byKey = new Map(previous.map((item) => [keyOf(item), item] as const));
  let changed = previous.length !== next.length;
  const merged = next.map((item, i) => {
    const old = byKey.get(keyOf(item));
    if (old && JSON.stringify(old) === JSON.stringify(item)) {
      if (previous[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return item;
  });
  return changed ? merged : previous;
}

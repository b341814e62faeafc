// What one ServerLink offers and how that is kept current: the full listing on connect, one kind's
// replacement after a list_changed, and the coalescing of overlapping refreshes. Split from
// server-link.ts, which keeps the connection's life (connect, health, loss, backoff).
import { SdkError, SdkErrorCode, type Client } from '@modelcontextprotocol/client';
import { listKind, mergeListed, offerKey, type Offer, type OfferKind } from './listings.js';

export const KINDS: readonly OfferKind[] = ['tools', 'prompts', 'resources', 'templates'];

/** Tools must list for the server to count as up (this throws); the other kinds are best effort. */
export async function listEverything(
  client: Client,
  timeoutMs: number,
  onOptionalFailed: (kind: OfferKind, err: unknown) => void,
): Promise<Offer> {
  const tools = (await listKind(client, 'tools', timeoutMs)) as Offer['tools'];
  const optional = async <K extends OfferKind>(kind: K): Promise<Offer[K]> => {
    try {
      return (await listKind(client, kind, timeoutMs)) as Offer[K];
    } catch (err) {
      onOptionalFailed(kind, err);
      return [] as unknown as Offer[K];
    }
  };
  const [prompts, resources, templates] = await Promise.all([optional('prompts'), optional('resources'), optional('templates')]);
  return { tools, prompts, resources, templates };
}

/**
 * The offer with one kind replaced by what was just listed (items that did not change keep their
 * identity); the same object when nothing changed.
 */
export function withListed(offer: Offer, kind: OfferKind, next: Offer[OfferKind]): Offer {
  const previous = offer[kind] as readonly unknown[];
  const merged = mergeListed(previous, next as readonly unknown[], (item) => offerKey(kind, item as never));
  if (merged === previous) return offer;
  return Object.freeze({ ...offer, [kind]: merged });
}

/**
 * Overlapping refreshes of one kind coalesce: one runs, and at most one more run follows it. Kinds
 * whose refresh timed out (on a server answering one request at a time, the listing waits behind
 * slow calls) are kept for ServerLink to list again once its health check shows the server alive;
 * before, the list the server announced was lost until its next list_changed.
 */
export class RefreshCoalescer {
  private readonly running = new Set<OfferKind>();
  private readonly again = new Set<OfferKind>();
  private readonly timedOut = new Set<OfferKind>();

  /** A refresh of `kind` failed with `err`: kept if it timed out. */
  failed(kind: OfferKind, err: unknown): void {
    if (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout) this.timedOut.add(kind);
  }

  /** The kinds to list again, forgotten here (a retry that times out again adds itself back). */
  takeTimedOut(): OfferKind[] {
    const kinds = [...this.timedOut];
    this.timedOut.clear();
    return kinds;
  }

  /** Runs `once` for this kind (again while asked again and `current()`); `once` returns false to stop. */
  async run(kind: OfferKind, once: () => Promise<boolean>, current: () => boolean): Promise<void> {
    if (this.running.has(kind)) return void this.again.add(kind);
    this.running.add(kind);
    try {
      do {
        this.again.delete(kind);
        if (!(await once())) return;
      } while (this.again.has(kind) && current());
    } finally {
      this.running.delete(kind);
    }
  }
}

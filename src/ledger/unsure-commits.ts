// A batch whose COMMIT may have happened although its writer never heard back: PostgreSQL commits
// and the reply is lost with the connection; the SQLite writer thread dies between COMMIT and its
// reply. Written again, the batch's request rows would be refused as duplicates (and set aside as
// data errors) and its other rows, whose ids are serial, stored twice. So such a batch is
// remembered, and when the writer offers its items again (the same objects, maybe with more behind
// them), its request rows — one transaction: all there or none — say whether it committed; if it
// did, those items are not written again.
//
// Batches of the gateway's traffic hold request rows: each request's rows end with its `requests`
// row, and each /mcp tools/call is a request too (its tool_calls row and request row are queued
// together). A batch without any (only /mcp prompt gets and resource reads, more than `batchSize`
// rows of one request, or one payload over `maxBatchBytes`) cannot be checked and is written again.
import type { LedgerItem } from './rows.js';

/** How many of these request ids the database holds. */
export type CountRequests = (ids: string[]) => Promise<number>;

export interface UnsureCommits {
  /** The batch's COMMIT may have happened: remember it. */
  unsure(items: readonly LedgerItem[]): void;
  /** The items still to write: without those of an unsure batch that turns out to have committed. */
  resolve(items: readonly LedgerItem[]): Promise<readonly LedgerItem[]>;
}

export function trackUnsureCommits(countRequests: CountRequests): UnsureCommits {
  let pending: { items: ReadonlySet<LedgerItem>; requestIds: string[] } | undefined;
  return {
    unsure(items) {
      pending = { items: new Set(items), requestIds: items.flatMap((i) => (i.table === 'requests' ? [i.row.id] : [])) };
    },
    async resolve(items) {
      const batch = pending;
      if (!batch || !items.some((i) => batch.items.has(i))) return items;
      // If the check itself fails, the batch stays unsure and the writer retries later.
      const committed = batch.requestIds.length > 0 && (await countRequests(batch.requestIds)) > 0;
      pending = undefined;
      return committed ? items.filter((i) => !batch.items.has(i)) : items;
    },
  };
}
